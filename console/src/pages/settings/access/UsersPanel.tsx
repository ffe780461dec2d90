// Settings → Users: who can sign in to the console, with which role; create (a password is generated
// when none is typed, shown once), change role, disable, set a new password.
import { useState } from 'react';
import { Alert, Button, Form, Input, Modal, Select, Space, Switch, Tag, Typography } from 'antd';
import { KeyOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import type { NewUserResult, Page, RoleView, User } from '../../../api/types';
import { useAuth } from '../../../auth/AuthContext';
import { can } from '../../../auth/permissions';
import { ErrorAlert } from '../../../components/feedback';
import { ListTable } from '../../../components/ListTable';
import { useNotify } from '../../../components/useNotify';
import { useFormat } from '../../../i18n/format';
import { CopyOnce } from './CopyOnce';

export const useRoles = () => useQuery({ queryKey: ['roles'], queryFn: () => api.get<Page<RoleView>>('/v1/roles') });

export function roleOptions(roles: RoleView[] | undefined, t: (k: string, o?: Record<string, unknown>) => string) {
  return (roles ?? []).map((r) => ({ value: r.name, label: r.builtin ? t(`roles.${r.name}`, { defaultValue: r.name }) : r.name }));
}

export default function UsersPanel() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const fmt = useFormat();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const writer = can(me, 'users');
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.get<Page<User>>('/v1/users') });
  const roles = useRoles();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<NewUserResult | null>(null);
  const [passwordFor, setPasswordFor] = useState<User | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const update = useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Record<string, unknown> }) => api.patch<User>(`/v1/users/${id}`, patch),
    onSuccess: () => {
      notify.ok(t('common.saved'));
      void refresh();
    },
    onError: notify.error,
  });
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<NewUserResult>('/v1/users', body),
    onSuccess: (u) => {
      setCreating(false);
      setCreated(u);
      void refresh();
    },
    onError: notify.error,
  });
  if (users.error) return <ErrorAlert error={users.error} />;
  return (
    <>
      {writer && (
        <Button type="primary" icon={<PlusOutlined />} style={{ marginBottom: 12 }} onClick={() => setCreating(true)}>
          {t('access.users.create')}
        </Button>
      )}
      <ListTable<User>
        rowKey="id"
        loading={users.isLoading}
        rows={users.data?.data}
        search={(u) => [u.email, u.name, u.role, t(`roles.${u.role}`, { defaultValue: u.role })]}
        searchPlaceholder={t('access.users.filter')}
        empty={{ text: t('access.users.empty') }}
        columns={[
          { title: t('access.users.email'), dataIndex: 'email' },
          { title: t('access.users.name'), dataIndex: 'name', render: (v: string | null) => v ?? '—' },
          {
            title: t('access.users.role'),
            render: (_, u) =>
              writer ? (
                <Select size="small" value={u.role} style={{ width: 150 }} options={roleOptions(roles.data?.data, t)} onChange={(role) => update.mutate({ id: u.id, patch: { role } })} aria-label={t('access.users.role')} />
              ) : (
                <Tag>{t(`roles.${u.role}`, { defaultValue: u.role })}</Tag>
              ),
          },
          {
            title: t('access.users.status'),
            render: (_, u) => (
              <Space>
                {u.locked && <Tag color="orange">{t('access.users.locked')}</Tag>}
                {writer ? (
                  <Switch size="small" checked={!u.disabled} onChange={(on) => update.mutate({ id: u.id, patch: { disabled: !on } })} aria-label={t('access.users.enabled')} />
                ) : (
                  <Tag color={u.disabled ? 'red' : 'green'}>{u.disabled ? t('access.users.disabled') : t('access.users.enabled')}</Tag>
                )}
              </Space>
            ),
          },
          { title: t('access.users.lastSignIn'), dataIndex: 'lastSignInAt', render: (v: string | null) => fmt.dateTime(v) },
          { title: '', render: (_, u) => writer && <Button size="small" icon={<KeyOutlined />} onClick={() => setPasswordFor(u)}>{t('access.users.setPassword')}</Button> },
        ]}
      />
      <Modal open={creating} title={t('access.users.create')} onCancel={() => setCreating(false)} footer={null} destroyOnHidden>
        <Form layout="vertical" onFinish={(v: Record<string, string>) => create.mutate({ ...v, password: v.password || undefined, name: v.name || undefined })} initialValues={{ role: 'read-only' }}>
          <Form.Item name="email" label={t('access.users.email')} rules={[{ required: true, type: 'email', message: t('access.users.emailRequired') }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="name" label={t('access.users.name')}>
            <Input />
          </Form.Item>
          <Form.Item name="role" label={t('access.users.role')}>
            <Select options={roleOptions(roles.data?.data, t)} />
          </Form.Item>
          <Form.Item name="password" label={t('access.users.password')} extra={t('access.users.passwordHelp')}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            {t('access.users.create')}
          </Button>
        </Form>
      </Modal>
      <Modal open={!!created} title={t('access.users.createdTitle')} onCancel={() => setCreated(null)} onOk={() => setCreated(null)} cancelButtonProps={{ style: { display: 'none' } }}>
        <Typography.Paragraph>{t('access.users.createdText', { email: created?.email })}</Typography.Paragraph>
        {created?.password && <CopyOnce label={t('access.users.generatedPassword')} secret={created.password} />}
      </Modal>
      <Modal open={!!passwordFor} title={t('access.users.setPassword')} onCancel={() => setPasswordFor(null)} footer={null} destroyOnHidden>
        <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('access.users.setPasswordHelp', { email: passwordFor?.email })} />
        <Form layout="vertical" onFinish={({ password }: { password: string }) => update.mutate({ id: passwordFor!.id, patch: { password } }, { onSuccess: () => setPasswordFor(null) })}>
          <Form.Item name="password" label={t('access.users.password')} rules={[{ required: true, min: 12, message: t('errors.weak_password') }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={update.isPending}>
            {t('common.save')}
          </Button>
        </Form>
      </Modal>
    </>
  );
}
