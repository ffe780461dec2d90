// Settings → Audit log: who did what, newest first, filtered by actor, action and time; the hash
// chain's state (intact, or the first entry that was tampered with); export as CSV; alert rules.
import { useState } from 'react';
import { Alert, Button, DatePicker, Form, Input, InputNumber, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { DownloadOutlined, SafetyCertificateOutlined, WarningOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { api, request } from '../../../api/client';
import type { AlertRule, AuditEntry, ChainStatus, NewAlertRule, Page } from '../../../api/types';
import { useAuth } from '../../../auth/AuthContext';
import { can } from '../../../auth/permissions';
import { Confirm, ErrorAlert } from '../../../components/feedback';
import { ListTable } from '../../../components/ListTable';
import { usePaged } from '../../../components/paging';
import { useNotify } from '../../../components/useNotify';
import { useFormat } from '../../../i18n/format';

interface Filter {
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
}

export default function AuditPanel() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const notify = useNotify();
  const [filter, setFilter] = useState<Filter>({});
  const entries = usePaged<AuditEntry>(['audit', filter], (cursor) => api.get<Page<AuditEntry>>('/v1/audit', { ...filter, cursor, limit: 50 }));
  const chain = useQuery({ queryKey: ['audit-verify'], queryFn: () => api.get<ChainStatus>('/v1/audit/verify') });
  const download = useMutation({
    mutationFn: async () => {
      const blob = await (await request('GET', '/v1/audit/export', { query: { ...filter, format: 'csv' } })).blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'audit.csv';
      a.click();
      URL.revokeObjectURL(a.href);
    },
    onError: notify.error,
  });
  const search = (v: { actor?: string; action?: string; range?: [Dayjs, Dayjs] | null }) =>
    setFilter({ actor: v.actor || undefined, action: v.action || undefined, from: v.range?.[0]?.toISOString(), to: v.range?.[1]?.toISOString() });
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {chain.data &&
        (chain.data.ok ? (
          <Alert type="success" showIcon icon={<SafetyCertificateOutlined />} message={t('access.audit.chainOk', { count: chain.data.entries })} data-testid="chain-status" />
        ) : (
          <Alert type="error" showIcon icon={<WarningOutlined />} message={t('access.audit.chainBroken', { seq: chain.data.brokenAt })} data-testid="chain-status" />
        ))}
      <Form layout="inline" onFinish={search}>
        <Form.Item name="actor">
          <Input placeholder={t('access.audit.actor')} aria-label={t('access.audit.actor')} allowClear />
        </Form.Item>
        <Form.Item name="action">
          <Input placeholder={t('access.audit.action')} aria-label={t('access.audit.action')} allowClear />
        </Form.Item>
        <Form.Item name="range">
          <DatePicker.RangePicker showTime />
        </Form.Item>
        <Button htmlType="submit">{t('common.filter')}</Button>
        <Button icon={<DownloadOutlined />} loading={download.isPending} onClick={() => download.mutate()} style={{ marginLeft: 8 }}>
          {t('access.audit.export')}
        </Button>
      </Form>
      <ListTable<AuditEntry>
        rowKey="seq"
        loading={entries.isLoading}
        rows={entries.rows}
        error={entries.error}
        cursor={entries}
        empty={{ text: t(Object.values(filter).some(Boolean) ? 'access.audit.emptyFiltered' : 'access.audit.empty') }}
        scroll={{ x: 900 }}
        columns={[
          { title: t('access.audit.at'), dataIndex: 'at', width: 190, render: (v: string) => fmt.dateTime(v) },
          { title: t('access.audit.actor'), render: (_, e) => e.actorLabel ?? e.actor },
          { title: t('access.audit.action'), dataIndex: 'action', render: (v: string) => <code>{v}</code> },
          { title: t('access.audit.target'), dataIndex: 'target', ellipsis: true, render: (v: string | null) => v ?? '—' },
          { title: t('access.audit.status'), dataIndex: 'status', render: (v: number | null) => (v === null ? '—' : <Tag color={v < 300 ? 'green' : v < 500 ? 'orange' : 'red'}>{v}</Tag>) },
          { title: 'IP', dataIndex: 'ip' },
        ]}
      />
      <AlertRules />
    </Space>
  );
}

const KINDS: AlertRule['kind'][] = ['export_volume', 'failed_sign_ins', 'new_admin', 'role_change'];

function AlertRules() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const writer = can(me, 'alerts');
  const rules = useQuery({ queryKey: ['alert-rules'], queryFn: () => api.get<Page<AlertRule>>('/v1/alert-rules') });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['alert-rules'] });
  const done = { onSuccess: () => void refresh(), onError: notify.error };
  const create = useMutation({ mutationFn: (v: NewAlertRule) => api.post<AlertRule>('/v1/alert-rules', v), ...done });
  const update = useMutation({ mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => api.patch(`/v1/alert-rules/${id}`, { enabled }), ...done });
  const remove = useMutation({ mutationFn: (id: string) => api.delete(`/v1/alert-rules/${id}`), ...done });
  if (rules.error) return <ErrorAlert error={rules.error} />;
  return (
    <>
      <Typography.Title level={5}>{t('access.alerts.title')}</Typography.Title>
      <Table<AlertRule>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={rules.data?.data ?? []}
        columns={[
          { title: t('access.alerts.kind'), dataIndex: 'kind', render: (k: string) => t(`access.alerts.kinds.${k}`) },
          { title: t('access.alerts.threshold'), render: (_, r) => (r.kind === 'export_volume' || r.kind === 'failed_sign_ins' ? t('access.alerts.thresholdText', { n: r.threshold, minutes: r.windowMinutes }) : '—') },
          { title: t('access.alerts.channel'), render: (_, r) => `${r.channel}: ${r.target}` },
          { title: t('access.alerts.enabled'), render: (_, r) => <Switch size="small" checked={r.enabled} disabled={!writer} onChange={(enabled) => update.mutate({ id: r.id, enabled })} /> },
          {
            title: '',
            render: (_, r) =>
              writer && (
                <Confirm title={t('access.alerts.deleteConfirm')} onConfirm={() => remove.mutate(r.id)}>
                  <Button size="small" danger>
                    {t('common.delete')}
                  </Button>
                </Confirm>
              ),
          },
        ]}
      />
      {writer && (
        <Form layout="inline" style={{ marginTop: 12 }} initialValues={{ kind: 'failed_sign_ins', threshold: 5, windowMinutes: 60, channel: 'webhook' }} onFinish={(v: NewAlertRule) => create.mutate(v)}>
          <Form.Item name="kind">
            <Select style={{ width: 220 }} options={KINDS.map((k) => ({ value: k, label: t(`access.alerts.kinds.${k}`) }))} />
          </Form.Item>
          <Form.Item name="threshold" label={t('access.alerts.threshold')}>
            <InputNumber min={1} />
          </Form.Item>
          <Form.Item name="windowMinutes" label={t('access.alerts.window')}>
            <InputNumber min={1} />
          </Form.Item>
          <Form.Item name="channel">
            <Select style={{ width: 110 }} options={[{ value: 'webhook', label: t('access.alerts.webhook') }, { value: 'email', label: t('access.alerts.email') }]} />
          </Form.Item>
          <Form.Item name="target" rules={[{ required: true, message: t('common.required') }]}>
            <Input placeholder={t('access.alerts.target')} aria-label={t('access.alerts.target')} style={{ width: 260 }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            {t('access.alerts.add')}
          </Button>
        </Form>
      )}
    </>
  );
}

