// Privacy requests: file a data-subject request (access, delete, suppress, rectify) for an identifier,
// follow its progress, download an access export. The server keeps no identifier with a finished
// request (only a salted proof), so the list shows kind, status and result.
import { useState } from 'react';
import { Button, Card, Form, Input, Modal, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, request } from '../../api/client';
import type { NewPrivacyRequest, Page, PrivacyRequest } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { EmptyState, ErrorAlert, PageHeader } from '../../components/feedback';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';

const KINDS: PrivacyRequest['kind'][] = ['access', 'delete', 'suppress', 'rectify'];
const STATUS_COLOR: Record<PrivacyRequest['status'], string> = { queued: 'default', running: 'processing', completed: 'success', failed: 'error' };

export default function PrivacyRequests() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const notify = useNotify();
  const fmt = useFormat();
  const queryClient = useQueryClient();
  const [filing, setFiling] = useState(false);
  const list = useQuery({
    queryKey: ['privacy-requests'],
    queryFn: () => api.get<Page<PrivacyRequest>>('/v1/privacy/requests', { limit: 100 }),
    // Running jobs report progress: poll while any is unfinished.
    refetchInterval: (q) => (q.state.data?.data.some((r) => r.status === 'queued' || r.status === 'running') ? 1000 : false),
  });
  const create = useMutation({
    mutationFn: (body: NewPrivacyRequest) => api.post<PrivacyRequest>('/v1/privacy/requests', body),
    onSuccess: () => {
      setFiling(false);
      notify.ok(t('privacy.filed'));
      void queryClient.invalidateQueries({ queryKey: ['privacy-requests'] });
    },
  });
  const download = async (id: string) => {
    try {
      const blob = await (await request('GET', `/v1/privacy/requests/${id}/export`)).blob();
      const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: `${id}.json` });
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (err) {
      notify.error(err);
    }
  };
  const mayFile = can(me, 'privacyRequests');
  return (
    <>
      <PageHeader
        title={t('privacy.title')}
        sub={t('privacy.help')}
        extra={
          mayFile && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setFiling(true)}>
              {t('privacy.newRequest')}
            </Button>
          )
        }
      />
      <Card size="small">
        <ErrorAlert error={list.error} />
        <Table<PrivacyRequest>
          size="small"
          rowKey="id"
          loading={list.isLoading}
          pagination={false}
          dataSource={list.data?.data ?? []}
          locale={{ emptyText: <EmptyState text={t('privacy.noRequests')} /> }}
          columns={[
            { title: t('privacy.kind'), dataIndex: 'kind', render: (k: PrivacyRequest['kind']) => <Tag>{t(`privacy.kinds.${k}`)}</Tag> },
            { title: t('privacy.status'), dataIndex: 'status', render: (s: PrivacyRequest['status']) => <Tag color={STATUS_COLOR[s]}>{t(`privacy.statuses.${s}`)}</Tag> },
            {
              title: t('privacy.progress'),
              render: (_, r) => (
                <Space direction="vertical" size={0} style={{ minWidth: 160 }}>
                  <Progress percent={Math.round(r.progress * 100)} size="small" status={r.status === 'failed' ? 'exception' : undefined} />
                  {r.step && <Typography.Text type="secondary">{t(`privacy.steps.${r.step.replace(/ /g, '_')}`, { defaultValue: r.step })}</Typography.Text>}
                </Space>
              ),
            },
            {
              title: t('privacy.result'),
              render: (_, r) =>
                r.result &&
                (r.result.error ? (
                  <Typography.Text type="danger">{r.result.error}</Typography.Text>
                ) : (
                  <Typography.Text>{t('privacy.resultSummary', { profiles: r.result.profiles, events: r.result.events })}</Typography.Text>
                )),
            },
            { title: t('privacy.created'), dataIndex: 'createdAt', render: (v: string) => fmt.dateTime(v) },
            { title: t('privacy.proof'), render: (_, r) => <Typography.Text code copyable={{ text: `${r.proof.salt}:${r.proof.hash}` }}>{r.proof.hash.slice(0, 12)}…</Typography.Text> },
            {
              title: '',
              render: (_, r) =>
                r.kind === 'access' && r.status === 'completed' && r.result?.exportAvailable && can(me, 'privacyExport') ? (
                  <Button size="small" icon={<DownloadOutlined />} onClick={() => void download(r.id)}>
                    {t('privacy.download')}
                  </Button>
                ) : null,
            },
          ]}
        />
      </Card>
      <Modal open={filing} title={t('privacy.newRequest')} footer={null} onCancel={() => setFiling(false)} destroyOnHidden>
        <ErrorAlert error={create.error} />
        <RequestForm pending={create.isPending} onSubmit={(body) => create.mutate(body)} />
      </Modal>
    </>
  );
}

function RequestForm({ pending, onSubmit }: { pending: boolean; onSubmit: (body: NewPrivacyRequest) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ kind: PrivacyRequest['kind']; type: string; value: string; traits?: string }>();
  const kind = Form.useWatch('kind', form);
  const submit = (v: { kind: PrivacyRequest['kind']; type: string; value: string; traits?: string }) => {
    const body: NewPrivacyRequest = { kind: v.kind, identifier: { type: v.type, value: v.value } };
    if (v.kind === 'rectify' && v.traits) body.traits = JSON.parse(v.traits) as Record<string, unknown>;
    const go = () => onSubmit(body);
    if (v.kind === 'delete' || v.kind === 'suppress') Modal.confirm({ title: t('privacy.confirmDelete'), content: t('privacy.confirmDeleteHelp'), okType: 'danger', okText: t(`privacy.kinds.${v.kind}`), cancelText: t('common.cancel'), onOk: go });
    else go();
  };
  return (
    <Form form={form} layout="vertical" initialValues={{ kind: 'access', type: 'email' }} onFinish={submit}>
      <Form.Item name="kind" label={t('privacy.kind')} extra={kind && t(`privacy.kindHelp.${kind}`)}>
        <Select options={KINDS.map((k) => ({ value: k, label: t(`privacy.kinds.${k}`) }))} />
      </Form.Item>
      <Form.Item name="type" label={t('privacy.identifierType')}>
        <Select options={['email', 'phone', 'user_id', 'anonymous_id', 'member_id'].map((v) => ({ value: v, label: v }))} />
      </Form.Item>
      <Form.Item name="value" label={t('privacy.identifierValue')} rules={[{ required: true, message: t('privacy.valueRequired') }]}>
        <Input autoComplete="off" />
      </Form.Item>
      {kind === 'rectify' && (
        <Form.Item
          name="traits"
          label={t('privacy.traits')}
          rules={[
            { required: true, message: t('privacy.traitsRequired') },
            {
              validator: async (_, v: string) => {
                const parsed: unknown = JSON.parse(v);
                if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(t('privacy.traitsRequired'));
              },
              message: t('privacy.traitsRequired'),
            },
          ]}
        >
          <Input.TextArea rows={4} placeholder='{"name": "Mei Lin"}' />
        </Form.Item>
      )}
      <Button type="primary" htmlType="submit" loading={pending} block>
        {t('privacy.file')}
      </Button>
    </Form>
  );
}
