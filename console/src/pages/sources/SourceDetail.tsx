// One source: install snippets and write keys, live debugger, events, failed events, health,
// tracking plan, transformation, webhook, imports, and the connector of its type (MQTT, database
// sync, ad reports).
import { useState } from 'react';
import { useLocation, useParams, useSearchParams } from 'react-router-dom';
import { Alert, Button, Descriptions, Segmented, Space, Switch, Table, Tabs, Typography } from 'antd';
import { KeyOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Source, SourceWithKey } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { Confirm, ErrorAlert, PageHeader } from '../../components/feedback';
import { CodeBlock } from '../../components/CodeBlock';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';
import { LiveDebugger } from './LiveDebugger';
import { SourceEvents, FailedEvents } from './SourceEvents';
import { SourceHealthPanel } from './SourceHealthPanel';
import { TrackingPlanPanel } from './TrackingPlanPanel';
import { TransformationPanel } from './TransformationPanel';
import { WebhookPanel } from './WebhookPanel';
import { ImportsPanel } from './ImportsPanel';
import { MqttPanel } from './MqttPanel';
import { DbSyncPanel } from './DbSyncPanel';
import { AdReportsPanel } from './AdReportsPanel';
import { SNIPPET_KINDS, snippet, type SnippetKind } from './snippets';

export default function SourceDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const justCreatedKey = (useLocation().state as { writeKey?: string } | null)?.writeKey;
  const [newKey, setNewKey] = useState<string | undefined>(justCreatedKey);
  const { data: source, error } = useQuery({ queryKey: ['sources', id], queryFn: () => api.get<Source>(`/v1/sources/${id}`) });
  const tab = params.get('tab') ?? 'install';
  return (
    <>
      <PageHeader title={source?.name ?? '…'} sub={source && `${t(`sources.types.${source.type}`, { defaultValue: source.type })} · ${source.id}`} extra={source && <EnableSwitch source={source} />} />
      <ErrorAlert error={error} />
      {newKey && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('sources.writeKeyOnce')}
          description={
            <Typography.Text copyable code data-testid="write-key">
              {newKey}
            </Typography.Text>
          }
        />
      )}
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams({ tab: key }, { replace: true })}
        destroyOnHidden
        items={[
          { key: 'install', label: t('sources.tabs.install'), children: source && <Install source={source} writeKey={newKey} onNewKey={setNewKey} /> },
          { key: 'live', label: t('sources.tabs.live'), children: <LiveDebugger sourceId={id} /> },
          { key: 'events', label: t('sources.tabs.events'), children: <SourceEvents sourceId={id} /> },
          { key: 'failed', label: t('sources.tabs.failed'), children: <FailedEvents sourceId={id} /> },
          { key: 'health', label: t('sources.tabs.health'), children: <SourceHealthPanel sourceId={id} /> },
          { key: 'plan', label: t('sources.tabs.plan'), children: <TrackingPlanPanel sourceId={id} /> },
          { key: 'transformation', label: t('sources.tabs.transformation'), children: <TransformationPanel sourceId={id} /> },
          { key: 'webhook', label: t('sources.tabs.webhook'), children: <WebhookPanel sourceId={id} /> },
          { key: 'imports', label: t('sources.tabs.imports'), children: <ImportsPanel sourceId={id} /> },
          ...connectorTabs(source?.type).map((key) => ({ key, label: t(`sources.tabs.${key}`), children: CONNECTOR_PANELS[key](id) })),
        ]}
      />
    </>
  );
}

/** The pull connectors a source of each type is set up with (a push source needs none of them). */
const CONNECTOR_PANELS = {
  mqtt: (sourceId: string) => <MqttPanel sourceId={sourceId} />,
  dbSync: (sourceId: string) => <DbSyncPanel sourceId={sourceId} />,
  adReports: () => <AdReportsPanel />,
};
type ConnectorTab = keyof typeof CONNECTOR_PANELS;

function connectorTabs(type: string | undefined): ConnectorTab[] {
  if (type === 'iot') return ['mqtt'];
  if (type === 'ads') return ['adReports'];
  if (type === 'crm' || type === 'pos' || type === 'server' || type === 'other') return ['dbSync'];
  return [];
}

function EnableSwitch({ source }: { source: Source }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => api.patch<Source>(`/v1/sources/${source.id}`, { enabled }),
    onSuccess: (s) => queryClient.setQueryData(['sources', source.id], s),
    onError: notify.error,
  });
  return (
    <Space>
      {t('sources.enabled')}
      <Switch checked={source.enabled} disabled={!can(me, 'sources')} loading={toggle.isPending} onChange={(v) => toggle.mutate(v)} aria-label={t('sources.enabled')} />
    </Space>
  );
}

function Install({ source, writeKey, onNewKey }: { source: Source; writeKey?: string; onNewKey(key: string): void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<SnippetKind>(source.type === 'server' ? 'node' : source.type === 'app' ? 'ios' : 'segmentWeb');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['sources', source.id] });
  const addKey = useMutation({
    mutationFn: () => api.post<SourceWithKey>(`/v1/sources/${source.id}/write-keys`),
    onSuccess: (s) => (onNewKey(s.writeKey), void refresh()),
    onError: notify.error,
  });
  const revoke = useMutation({ mutationFn: (keyId: string) => api.delete(`/v1/sources/${source.id}/write-keys/${keyId}`), onSuccess: () => void refresh(), onError: notify.error });
  const admin = can(me, 'sources');
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {!writeKey && <Alert type="info" showIcon message={t('sources.keyPlaceholderNote')} />}
      <Segmented<SnippetKind> value={kind} onChange={setKind} options={SNIPPET_KINDS.map((k) => ({ value: k, label: t(`sources.snippets.${k}`) }))} />
      <CodeBlock code={snippet(kind, window.location.origin, writeKey ?? '<WRITE_KEY>')} />
      <Descriptions title={t('sources.writeKeys')} size="small" column={1} />
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={source.writeKeys}
        columns={[
          { title: t('sources.keyPrefix'), dataIndex: 'prefix', render: (p) => <Typography.Text code>{p}…</Typography.Text> },
          { title: t('common.created'), dataIndex: 'createdAt', render: (at) => fmt.dateTime(at) },
          { title: t('sources.revokedAt'), dataIndex: 'revokedAt', render: (at) => (at ? fmt.dateTime(at) : '—') },
          {
            title: '',
            render: (_, k) =>
              admin &&
              !k.revokedAt && (
                <Confirm title={t('sources.revokeConfirm')} onConfirm={() => revoke.mutate(k.id)}>
                  <Button danger size="small">
                    {t('sources.revoke')}
                  </Button>
                </Confirm>
              ),
          },
        ]}
      />
      {admin && (
        <Button icon={<KeyOutlined />} onClick={() => addKey.mutate()} loading={addKey.isPending}>
          {t('sources.addKey')}
        </Button>
      )}
    </Space>
  );
}
