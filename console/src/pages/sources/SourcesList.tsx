// Sources: the list and "connect a source" (the write key is shown once, on creation).
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Badge, Button, Form, Input, Modal, Select } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { NewSource, Page, Source, SourceWithKey } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { ErrorAlert, PageHeader } from '../../components/feedback';
import { ListTable } from '../../components/ListTable';
import { useFormat } from '../../i18n/format';

export const SOURCE_TYPES = ['web', 'app', 'server', 'pos', 'crm', 'import', 'webhook', 'iot', 'ads', 'other'] as const;

export default function SourcesList() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const [creating, setCreating] = useState(false);
  const { data, error, isLoading } = useQuery({ queryKey: ['sources'], queryFn: () => api.get<Page<Source>>('/v1/sources') });
  const mayCreate = can(me, 'sources');
  return (
    <>
      <PageHeader
        title={t('sources.title')}
        sub={t('sources.subtitle')}
        extra={
          mayCreate && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('sources.create')}
            </Button>
          )
        }
      />
      <ListTable<Source>
        rowKey="id"
        size="middle"
        loading={isLoading}
        error={error}
        rows={data?.data}
        search={(s) => [s.name, s.type, t(`sources.types.${s.type}`, { defaultValue: s.type })]}
        searchPlaceholder={t('sources.filter')}
        empty={{ text: t('sources.empty'), action: mayCreate && <Button onClick={() => setCreating(true)}>{t('sources.create')}</Button> }}
        columns={[
          { title: t('sources.name'), dataIndex: 'name', render: (name, s) => <Link to={`/sources/${s.id}`}>{name}</Link> },
          { title: t('sources.type'), dataIndex: 'type', render: (type) => t(`sources.types.${type}`, { defaultValue: type }) },
          { title: t('sources.status'), dataIndex: 'enabled', render: (on) => <Badge status={on ? 'success' : 'default'} text={t(on ? 'sources.enabled' : 'sources.disabled')} /> },
          { title: t('common.created'), dataIndex: 'createdAt', render: (at) => fmt.dateTime(at) },
        ]}
      />
      {creating && <CreateSource onClose={() => setCreating(false)} />}
    </>
  );
}

function CreateSource({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (body: NewSource) => api.post<SourceWithKey>('/v1/sources', body),
    onSuccess: (source) => {
      void queryClient.invalidateQueries({ queryKey: ['sources'] });
      // The write key is only in this answer: hand it to the source page for the install snippets.
      navigate(`/sources/${source.id}`, { state: { writeKey: source.writeKey } });
    },
  });
  return (
    <Modal open title={t('sources.create')} onCancel={onClose} footer={null} destroyOnHidden>
      <ErrorAlert error={create.error} />
      <Form layout="vertical" initialValues={{ type: 'web' }} onFinish={(v: NewSource) => create.mutate(v)}>
        <Form.Item name="name" label={t('sources.name')} rules={[{ required: true, message: t('sources.nameRequired') }]}>
          <Input autoFocus placeholder={t('sources.namePlaceholder')} />
        </Form.Item>
        <Form.Item name="type" label={t('sources.type')}>
          <Select options={SOURCE_TYPES.map((type) => ({ value: type, label: t(`sources.types.${type}`) }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={create.isPending} block>
          {t('sources.createSubmit')}
        </Button>
      </Form>
    </Modal>
  );
}
