// Settings → Consent categories: the keys events use in context.consent.categoryPreferences and that
// destinations are assigned to. A category a destination uses cannot be removed (the API says which).
import { useState } from 'react';
import { Button, Card, Form, Input, Modal, Switch, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { ConsentCategory, NewConsentCategory, Page } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { Confirm, ErrorAlert } from '../../components/feedback';
import { ListTable } from '../../components/ListTable';
import { categoryDescription, categoryName } from './categoryNames';
import { useNotify } from '../../components/useNotify';

export function ConsentCategoriesPanel() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const editor = can(me, 'consent');
  const [adding, setAdding] = useState(false);
  const list = useQuery({ queryKey: ['consent-categories'], queryFn: () => api.get<Page<ConsentCategory>>('/v1/consent/categories') });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['consent-categories'] });
  const create = useMutation({ mutationFn: (c: NewConsentCategory) => api.post<ConsentCategory>('/v1/consent/categories', c), onSuccess: () => (setAdding(false), refresh()) });
  const update = useMutation({ mutationFn: (c: { id: string; required: boolean }) => api.patch<ConsentCategory>(`/v1/consent/categories/${encodeURIComponent(c.id)}`, { required: c.required }), onSuccess: refresh, onError: notify.error });
  const remove = useMutation({ mutationFn: (id: string) => api.delete(`/v1/consent/categories/${encodeURIComponent(id)}`), onSuccess: refresh, onError: notify.error });
  return (
    <Card size="small">
      <Typography.Paragraph type="secondary">{t('privacy.categoriesHelp')}</Typography.Paragraph>
      <ListTable<ConsentCategory>
        rowKey="id"
        loading={list.isLoading}
        error={list.error}
        rows={list.data?.data}
        search={(c) => [c.id, c.name, categoryName(c, t), categoryDescription(c, t)]}
        searchPlaceholder={t('privacy.categoriesFilter')}
        empty={{ text: t('privacy.categoriesEmpty') }}
        columns={[
          { title: t('privacy.categoryId'), dataIndex: 'id', render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
          { title: t('privacy.categoryName'), render: (_, c) => categoryName(c, t) },
          { title: t('privacy.categoryDescription'), render: (_, c) => categoryDescription(c, t) ?? '—' },
          { title: t('privacy.required'), render: (_, c) => <Switch size="small" checked={c.required} disabled={!editor} onChange={(required) => update.mutate({ id: c.id, required })} aria-label={t('privacy.required')} /> },
          { title: t('privacy.usedBy'), render: (_, c) => (c.inUse.length === 0 ? '—' : <Tag>{t('privacy.destinationsCount', { count: c.inUse.length })}</Tag>) },
          {
            title: '',
            render: (_, c) =>
              editor && (
                <Confirm title={t('privacy.removeCategoryConfirm')} onConfirm={() => remove.mutate(c.id)}>
                  <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('common.remove')} />
                </Confirm>
              ),
          },
        ]}
      />
      {editor && (
        <Button icon={<PlusOutlined />} style={{ marginTop: 12 }} onClick={() => setAdding(true)}>
          {t('privacy.addCategory')}
        </Button>
      )}
      <Modal open={adding} title={t('privacy.addCategory')} footer={null} onCancel={() => setAdding(false)} destroyOnHidden>
        <ErrorAlert error={create.error} />
        <Form layout="vertical" initialValues={{ required: false }} onFinish={(v: NewConsentCategory) => create.mutate(v)}>
          <Form.Item name="id" label={t('privacy.categoryId')} extra={t('privacy.categoryIdHelp')} rules={[{ required: true, pattern: /^[A-Za-z0-9_.-]{1,64}$/, message: t('privacy.categoryIdRule') }]}>
            <Input placeholder="personalization" />
          </Form.Item>
          <Form.Item name="name" label={t('privacy.categoryName')} rules={[{ required: true, message: t('privacy.nameRequired') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="description" label={t('privacy.categoryDescription')}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name="required" label={t('privacy.required')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending} block>
            {t('common.save')}
          </Button>
        </Form>
      </Modal>
    </Card>
  );
}
