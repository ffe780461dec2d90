// Settings → API keys: keys for automation, each with a role and an optional expiry; the key itself is
// shown once at creation; revoking stops it at once.
import { useState } from 'react';
import { Button, DatePicker, Form, Input, Modal, Select, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { api } from '../../../api/client';
import type { ApiKey, ApiKeyWithSecret, Page } from '../../../api/types';
import { useAuth } from '../../../auth/AuthContext';
import { can } from '../../../auth/permissions';
import { Confirm, ErrorAlert } from '../../../components/feedback';
import { ListTable } from '../../../components/ListTable';
import { useNotify } from '../../../components/useNotify';
import { useFormat } from '../../../i18n/format';
import { CopyOnce } from './CopyOnce';
import { roleOptions, useRoles } from './UsersPanel';

export default function ApiKeysPanel() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const fmt = useFormat();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const writer = can(me, 'apiKeys');
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => api.get<Page<ApiKey>>('/v1/api-keys') });
  const roles = useRoles();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<ApiKeyWithSecret | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['api-keys'] });
  const create = useMutation({
    mutationFn: (v: { name: string; role: string; expires?: Dayjs }) => api.post<ApiKeyWithSecret>('/v1/api-keys', { name: v.name, role: v.role, ...(v.expires ? { expiresAt: v.expires.toISOString() } : {}) }),
    onSuccess: (k) => {
      setCreating(false);
      setCreated(k);
      void refresh();
    },
    onError: notify.error,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/v1/api-keys/${id}`),
    onSuccess: () => {
      notify.ok(t('access.keys.revoked'));
      void refresh();
    },
    onError: notify.error,
  });
  if (keys.error) return <ErrorAlert error={keys.error} />;
  const status = (k: ApiKey) => (k.revoked ? 'revoked' : k.expiresAt && Date.parse(k.expiresAt) <= Date.now() ? 'expired' : 'active');
  return (
    <>
      {writer && (
        <Button type="primary" icon={<PlusOutlined />} style={{ marginBottom: 12 }} onClick={() => setCreating(true)}>
          {t('access.keys.create')}
        </Button>
      )}
      <ListTable<ApiKey>
        rowKey="id"
        loading={keys.isLoading}
        rows={keys.data?.data}
        search={(k) => [k.name, k.prefix, k.role, t(`roles.${k.role}`, { defaultValue: k.role })]}
        searchPlaceholder={t('access.keys.filter')}
        empty={{ text: t('access.keys.empty') }}
        columns={[
          { title: t('access.keys.name'), dataIndex: 'name' },
          { title: t('access.keys.prefix'), dataIndex: 'prefix', render: (v: string) => <code>{v}…</code> },
          { title: t('access.users.role'), dataIndex: 'role', render: (v: string) => <Tag>{t(`roles.${v}`, { defaultValue: v })}</Tag> },
          { title: t('access.keys.created'), dataIndex: 'createdAt', render: (v: string) => fmt.dateTime(v) },
          { title: t('access.keys.expires'), dataIndex: 'expiresAt', render: (v: string | null) => (v ? fmt.dateTime(v) : t('access.keys.never')) },
          { title: t('access.users.status'), render: (_, k) => <Tag color={status(k) === 'active' ? 'green' : 'default'}>{t(`access.keys.${status(k)}`)}</Tag> },
          {
            title: '',
            render: (_, k) =>
              writer &&
              !k.revoked && (
                <Confirm title={t('access.keys.revokeConfirm', { name: k.name })} onConfirm={() => revoke.mutate(k.id)}>
                  <Button size="small" danger>
                    {t('access.keys.revoke')}
                  </Button>
                </Confirm>
              ),
          },
        ]}
      />
      <Modal open={creating} title={t('access.keys.create')} onCancel={() => setCreating(false)} footer={null} destroyOnHidden>
        <Form layout="vertical" onFinish={create.mutate} initialValues={{ role: 'read-only' }}>
          <Form.Item name="name" label={t('access.keys.name')} rules={[{ required: true, message: t('common.required') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="role" label={t('access.users.role')}>
            <Select options={roleOptions(roles.data?.data, t)} />
          </Form.Item>
          <Form.Item name="expires" label={t('access.keys.expires')} extra={t('access.keys.expiresHelp')}>
            <DatePicker showTime style={{ width: '100%' }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            {t('access.keys.create')}
          </Button>
        </Form>
      </Modal>
      <Modal open={!!created} title={t('access.keys.createdTitle')} onCancel={() => setCreated(null)} onOk={() => setCreated(null)} cancelButtonProps={{ style: { display: 'none' } }}>
        {created && <CopyOnce label={t('access.keys.key')} secret={created.key} />}
      </Modal>
    </>
  );
}
