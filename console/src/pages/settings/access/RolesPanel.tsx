// Settings → Roles: the built-in roles (read-only here) and custom roles made of permissions, ticked
// per resource, each with its level of access to personal data (full, masked, none).
import { useState } from 'react';
import { Button, Checkbox, Form, Input, Modal, Radio, Space, Tag, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api } from '../../../api/client';
import type { Page, Permission, RoleView } from '../../../api/types';
import { useAuth } from '../../../auth/AuthContext';
import { can } from '../../../auth/permissions';
import { Confirm, ErrorAlert } from '../../../components/feedback';
import { ListTable } from '../../../components/ListTable';
import { useNotify } from '../../../components/useNotify';
import { useRoles } from './UsersPanel';

const PII = ['full', 'masked', 'none'] as const;

/** Permissions grouped by resource: `segments` → [read, write, export]. */
function byResource(all: readonly Permission[]) {
  const groups = new Map<string, Permission[]>();
  for (const p of all) {
    const [resource] = p.split(':');
    groups.set(resource, [...(groups.get(resource) ?? []), p]);
  }
  return [...groups.entries()];
}

/** A resource of the permission list in the user's language (`api-keys` → "API keys"). */
export const resourceName = (resource: string, t: TFunction) => t(`access.permissionNames.resources.${resource}`, { defaultValue: resource });
/** What a permission allows, in the user's language (`read` → "View"). */
export const levelName = (level: string, t: TFunction) => t(`access.permissionNames.levels.${level}`, { defaultValue: level });
/** A whole permission in the user's language: "Segments · Export". */
export const permissionName = (p: string, t: TFunction) => {
  const [resource, level] = p.split(':');
  return `${resourceName(resource, t)} · ${levelName(level, t)}`;
};

export default function RolesPanel() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const writer = can(me, 'roles');
  const roles = useRoles();
  const permissions = useQuery({ queryKey: ['permissions'], queryFn: () => api.get<Page<Permission>>('/v1/permissions') });
  const [editing, setEditing] = useState<RoleView | 'new' | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['roles'] });
  const save = useMutation({
    mutationFn: (v: { name: string; description?: string; permissions: Permission[]; piiAccess: RoleView['piiAccess'] }) =>
      editing === 'new' ? api.post<RoleView>('/v1/roles', v) : api.patch<RoleView>(`/v1/roles/${(editing as RoleView).name}`, { description: v.description, permissions: v.permissions, piiAccess: v.piiAccess }),
    onSuccess: () => {
      notify.ok(t('common.saved'));
      setEditing(null);
      void refresh();
    },
    onError: notify.error,
  });
  const remove = useMutation({
    mutationFn: (name: string) => api.delete(`/v1/roles/${name}`),
    onSuccess: () => {
      notify.ok(t('common.removed'));
      void refresh();
    },
    onError: notify.error,
  });
  if (roles.error) return <ErrorAlert error={roles.error} />;
  const current = editing && editing !== 'new' ? editing : undefined;
  return (
    <>
      {writer && (
        <Button type="primary" icon={<PlusOutlined />} style={{ marginBottom: 12 }} onClick={() => setEditing('new')}>
          {t('access.roles.create')}
        </Button>
      )}
      <ListTable<RoleView>
        rowKey="name"
        loading={roles.isLoading}
        rows={roles.data?.data}
        search={(r) => [r.name, r.builtin ? t(`roles.${r.name}`, { defaultValue: r.name }) : null, r.description, ...r.permissions.map((p) => permissionName(p, t))]}
        searchPlaceholder={t('access.roles.filter')}
        empty={{ text: t('access.roles.empty') }}
        expandable={{
          expandedRowRender: (r) => (
            <Space wrap>
              {r.permissions.map((p) => (
                <Tag key={p} title={p}>
                  {permissionName(p, t)}
                </Tag>
              ))}
            </Space>
          ),
        }}
        columns={[
          { title: t('access.roles.name'), render: (_, r) => (r.builtin ? t(`roles.${r.name}`, { defaultValue: r.name }) : r.name) },
          { title: t('access.roles.kind'), render: (_, r) => <Tag color={r.builtin ? 'blue' : 'purple'}>{r.builtin ? t('access.roles.builtin') : t('access.roles.custom')}</Tag> },
          { title: t('access.roles.pii'), render: (_, r) => t(`access.pii.${r.piiAccess}`) },
          { title: t('access.roles.permissions'), render: (_, r) => r.permissions.length },
          {
            title: '',
            render: (_, r) =>
              writer &&
              !r.builtin && (
                <Space>
                  <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(r)} aria-label={t('common.edit')} />
                  <Confirm title={t('access.roles.deleteConfirm', { name: r.name })} onConfirm={() => remove.mutate(r.name)}>
                    <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                  </Confirm>
                </Space>
              ),
          },
        ]}
      />
      <Modal open={!!editing} width={720} title={current ? current.name : t('access.roles.create')} onCancel={() => setEditing(null)} footer={null} destroyOnHidden>
        <Form layout="vertical" onFinish={save.mutate} initialValues={current ? { ...current, description: current.description ?? undefined } : { permissions: [], piiAccess: 'masked' }}>
          {!current && (
            <Form.Item name="name" label={t('access.roles.name')} extra={t('access.roles.nameHelp')} rules={[{ required: true, pattern: /^[a-z][a-z0-9-]{1,39}$/, message: t('access.roles.nameHelp') }]}>
              <Input />
            </Form.Item>
          )}
          <Form.Item name="description" label={t('access.roles.description')}>
            <Input />
          </Form.Item>
          <Form.Item name="piiAccess" label={t('access.roles.pii')} extra={t('access.roles.piiHelp')}>
            <Radio.Group options={PII.map((p) => ({ value: p, label: t(`access.pii.${p}`) }))} />
          </Form.Item>
          <Form.Item name="permissions" label={t('access.roles.permissions')}>
            <Checkbox.Group style={{ width: '100%' }}>
              <Space direction="vertical" style={{ width: '100%' }}>
                {byResource(permissions.data?.data ?? []).map(([resource, perms]) => (
                  <Space key={resource} style={{ width: '100%' }}>
                    <Typography.Text strong style={{ display: 'inline-block', width: 180 }} title={resource}>
                      {resourceName(resource, t)}
                    </Typography.Text>
                    {perms.map((p) => (
                      <Checkbox key={p} value={p} title={p}>
                        {levelName(p.split(':')[1], t)}
                      </Checkbox>
                    ))}
                  </Space>
                ))}
              </Space>
            </Checkbox.Group>
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
        </Form>
      </Modal>
    </>
  );
}
