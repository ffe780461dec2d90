// Settings: identity resolution rules (and the rebuild that applies them to past events), computed
// trait definitions, consent categories, access — users, roles, API keys, the audit log — and field-encryption keys, each tab shown to those
// whose permissions let them use it.
import { lazy, useEffect, useState } from 'react';
import { Button, Card, Form, Input, InputNumber, Modal, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { ComputedTrait, IdentityRules, Page, PipelineHealth } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can, has } from '../../auth/permissions';
import { Confirm, ErrorAlert, PageHeader } from '../../components/feedback';
import { ListTable } from '../../components/ListTable';
import { JobProgress } from '../../components/JobProgress';
import { errorText } from '../../api/errors';
import { useNotify } from '../../components/useNotify';
import { ConsentCategoriesPanel } from '../privacy/ConsentCategories';

type IdentifierRule = IdentityRules['identifiers'][number];
const NORMALISE: IdentifierRule['normalise'][] = ['none', 'trim', 'lowercase', 'email', 'phone'];
const COMPUTED_KINDS: ComputedTrait['kind'][] = ['count', 'sum', 'avg', 'min', 'max', 'first', 'last', 'most_frequent', 'days_since_last'];

const UsersPanel = lazy(() => import('./access/UsersPanel'));
const RolesPanel = lazy(() => import('./access/RolesPanel'));
const ApiKeysPanel = lazy(() => import('./access/ApiKeysPanel'));
const AuditPanel = lazy(() => import('./access/AuditPanel'));
const EncryptionKeysPanel = lazy(() => import('./EncryptionKeysPanel'));

export default function Settings() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const tabs = [
    has(me, 'identity:read') && { key: 'identity', label: t('settings.identity'), children: <IdentityRulesPanel /> },
    has(me, 'profiles:read') && has(me, 'identity:read') && { key: 'computed', label: t('settings.computed'), children: <ComputedTraitsPanel /> },
    has(me, 'consent:read') && { key: 'consent', label: t('privacy.categories'), children: <ConsentCategoriesPanel /> },
    has(me, 'users:read') && { key: 'users', label: t('access.tabs.users'), children: <UsersPanel /> },
    (has(me, 'users:read') || has(me, 'roles:write')) && { key: 'roles', label: t('access.tabs.roles'), children: <RolesPanel /> },
    has(me, 'api-keys:read') && { key: 'api-keys', label: t('access.tabs.apiKeys'), children: <ApiKeysPanel /> },
    has(me, 'audit:read') && { key: 'audit', label: t('access.tabs.audit'), children: <AuditPanel /> },
    has(me, 'privacy:admin') && { key: 'encryption', label: t('settings.encryption.title'), children: <EncryptionKeysPanel /> },
  ].filter((x) => !!x);
  return (
    <>
      <PageHeader title={t('settings.title')} />
      <Tabs destroyOnHidden items={tabs} />
    </>
  );
}

function IdentityRulesPanel() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const admin = can(me, 'identityRules');
  const rules = useQuery({ queryKey: ['identity-rules'], queryFn: () => api.get<IdentityRules>('/v1/identity/rules') });
  const [draft, setDraft] = useState<IdentityRules | null>(null);
  useEffect(() => setDraft(rules.data ?? null), [rules.data]);
  // The rebuild rewinds the identity stage to the start of the log: its progress is that stage's position
  // against the log's head (GET /v1/pipeline/health), read every 1.5 s until it has caught up.
  const [rebuildStartedAt, setRebuildStartedAt] = useState<number | null>(null);
  const identityStage = (h: PipelineHealth | undefined) => h?.stages.find((s) => s.stage === 'identity');
  const caughtUp = (h: PipelineHealth | undefined) => !!identityStage(h) && !identityStage(h)!.lag;
  const health = useQuery({
    queryKey: ['pipeline-health', rebuildStartedAt],
    queryFn: () => api.get<PipelineHealth>('/v1/pipeline/health'),
    enabled: rebuildStartedAt !== null && has(me, 'pipeline:read'),
    refetchInterval: (q) => (caughtUp(q.state.data) ? false : 1500),
  });
  const stage = identityStage(health.data);
  const save = useMutation({
    mutationFn: (r: IdentityRules) => api.put<IdentityRules>('/v1/identity/rules', r),
    onSuccess: (r) => {
      queryClient.setQueryData(['identity-rules'], r);
      notify.ok(t('common.saved'));
      Modal.confirm({
        title: t('settings.rebuildTitle'),
        content: t('settings.rebuildHelp'),
        okText: t('settings.rebuild'),
        cancelText: t('settings.later'),
        onOk: () => api.post('/v1/identity/rebuild').then(() => (notify.ok(t('settings.rebuilding')), setRebuildStartedAt(Date.now())), notify.error),
      });
    },
    onError: notify.error,
  });
  if (rules.error) return <ErrorAlert error={rules.error} />;
  if (!draft) return null;
  const setRule = (i: number, patch: Partial<IdentifierRule>) => setDraft({ ...draft, identifiers: draft.identifiers.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  return (
    <Card size="small">
      <Typography.Paragraph type="secondary">{t('settings.identityHelp')}</Typography.Paragraph>
      {rebuildStartedAt !== null && has(me, 'pipeline:read') && (
        <Space direction="vertical" size={4} style={{ marginBottom: 12 }}>
          <Typography.Text strong>{t('settings.rebuildProgress')}</Typography.Text>
          <JobProgress
            width={360}
            state={health.error ? 'failed' : !stage ? 'pending' : caughtUp(health.data) ? 'done' : 'running'}
            done={stage?.position}
            total={stage?.head}
            unit="jobs.units.events"
            startedAt={rebuildStartedAt}
            error={health.error ? errorText(health.error, t) : stage?.stuck ? stage.lastError : null}
          />
        </Space>
      )}
      <Space style={{ marginBottom: 12 }}>
        {t('settings.defaultCountry')}
        <Input value={draft.defaultCountry} maxLength={2} style={{ width: 70 }} disabled={!admin} onChange={(e) => setDraft({ ...draft, defaultCountry: e.target.value.toUpperCase() })} aria-label={t('settings.defaultCountry')} />
      </Space>
      <Table<IdentifierRule & { i: number }>
        size="small"
        rowKey="i"
        pagination={false}
        scroll={{ x: 960 }}
        dataSource={draft.identifiers.map((r, i) => ({ ...r, i }))}
        columns={[
          { title: t('settings.type'), render: (_, r) => <Input value={r.type} disabled={!admin} onChange={(e) => setRule(r.i, { type: e.target.value })} aria-label={t('settings.type')} /> },
          {
            title: t('settings.paths'),
            width: 300,
            render: (_, r) => <Select mode="tags" open={false} suffixIcon={null} value={r.paths} disabled={!admin} style={{ width: '100%' }} onChange={(paths) => setRule(r.i, { paths })} aria-label={t('settings.paths')} />,
          },
          {
            title: t('settings.normalise'),
            render: (_, r) => <Select value={r.normalise} disabled={!admin} style={{ width: 120 }} onChange={(normalise) => setRule(r.i, { normalise })} options={NORMALISE.map((n) => ({ value: n, label: n }))} />,
          },
          { title: t('settings.priority'), render: (_, r) => <InputNumber value={r.priority} disabled={!admin} onChange={(v) => setRule(r.i, { priority: v ?? 0 })} style={{ width: 80 }} /> },
          {
            title: t('settings.limit'),
            render: (_, r) => <InputNumber min={1} value={r.limit ?? undefined} placeholder="∞" disabled={!admin} onChange={(v) => setRule(r.i, { limit: v ?? null })} style={{ width: 80 }} />,
          },
          { title: t('settings.link'), render: (_, r) => <Switch checked={r.link} disabled={!admin} onChange={(link) => setRule(r.i, { link })} /> },
          {
            title: '',
            render: (_, r) =>
              admin && <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('rule.remove')} onClick={() => setDraft({ ...draft, identifiers: draft.identifiers.filter((_, j) => j !== r.i) })} />,
          },
        ]}
      />
      {admin && (
        <Space style={{ marginTop: 12 }}>
          <Button icon={<PlusOutlined />} onClick={() => setDraft({ ...draft, identifiers: [...draft.identifiers, { type: '', paths: [], normalise: 'trim', priority: 0, limit: null, link: true }] })}>
            {t('settings.addIdentifier')}
          </Button>
          <Button type="primary" onClick={() => save.mutate(draft)} loading={save.isPending}>
            {t('common.save')}
          </Button>
        </Space>
      )}
    </Card>
  );
}

function ComputedTraitsPanel() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const admin = can(me, 'computedTraits');
  const list = useQuery({ queryKey: ['computed-traits'], queryFn: () => api.get<Page<ComputedTrait>>('/v1/computed-traits') });
  const [adding, setAdding] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['computed-traits'] });
  const create = useMutation({ mutationFn: (d: ComputedTrait) => api.post<ComputedTrait>('/v1/computed-traits', d), onSuccess: () => (setAdding(false), refresh()) });
  const remove = useMutation({ mutationFn: (name: string) => api.delete(`/v1/computed-traits/${name}`), onSuccess: refresh, onError: notify.error });
  return (
    <Card size="small">
      <ListTable<ComputedTrait>
        rowKey="name"
        loading={list.isLoading}
        error={list.error}
        rows={list.data?.data}
        search={(d) => [d.name, d.event, d.property, t(`settings.kinds.${d.kind}`)]}
        searchPlaceholder={t('settings.computedFilter')}
        empty={{ text: t('settings.noComputed') }}
        columns={[
          { title: t('settings.traitName'), dataIndex: 'name' },
          { title: t('settings.kind'), dataIndex: 'kind', render: (k) => <Tag>{t(`settings.kinds.${k}`)}</Tag> },
          { title: t('events.event'), dataIndex: 'event', render: (e) => e ?? t('settings.anyEvent') },
          { title: t('rule.property'), dataIndex: 'property', render: (p) => p ?? '—' },
          { title: t('settings.windowDays'), dataIndex: 'windowDays', render: (d) => d ?? '—' },
          {
            title: '',
            render: (_, d) =>
              admin && (
                <Confirm title={t('settings.removeComputedConfirm')} onConfirm={() => remove.mutate(d.name)}>
                  <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('common.remove')} />
                </Confirm>
              ),
          },
        ]}
      />
      {admin && (
        <Button icon={<PlusOutlined />} style={{ marginTop: 12 }} onClick={() => setAdding(true)}>
          {t('settings.addComputed')}
        </Button>
      )}
      <Modal open={adding} title={t('settings.addComputed')} footer={null} onCancel={() => setAdding(false)} destroyOnHidden>
        <ErrorAlert error={create.error} />
        <Form
          layout="vertical"
          initialValues={{ kind: 'count' }}
          onFinish={(v: ComputedTrait) => create.mutate(Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== '')) as ComputedTrait)}
        >
          <Form.Item name="name" label={t('settings.traitName')} rules={[{ required: true, pattern: /^[A-Za-z_][A-Za-z0-9_]{0,63}$/, message: t('settings.traitNameRule') }]}>
            <Input placeholder="orders_90d" />
          </Form.Item>
          <Form.Item name="kind" label={t('settings.kind')}>
            <Select options={COMPUTED_KINDS.map((k) => ({ value: k, label: t(`settings.kinds.${k}`) }))} />
          </Form.Item>
          <Form.Item name="event" label={t('events.event')}>
            <Input placeholder="Order Completed" />
          </Form.Item>
          <Form.Item name="property" label={t('rule.property')}>
            <Input placeholder="total" />
          </Form.Item>
          <Form.Item name="windowDays" label={t('settings.windowDays')}>
            <InputNumber min={1} max={3650} style={{ width: '100%' }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending} block>
            {t('common.save')}
          </Button>
        </Form>
      </Modal>
    </Card>
  );
}
