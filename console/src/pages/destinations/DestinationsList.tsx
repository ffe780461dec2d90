// Destinations: the list with each one's delivery state.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { Badge, Button, Input, Table, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Destination, Page } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { EmptyState, ErrorAlert, PageHeader } from '../../components/feedback';
import { useFormat } from '../../i18n/format';

export default function DestinationsList() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const [filter, setFilter] = useState('');
  const { data, error, isLoading } = useQuery({ queryKey: ['destinations'], queryFn: () => api.get<Page<Destination>>('/v1/destinations') });
  const admin = can(me, 'destinations');
  const connect = admin && (
    <Link to="/destinations/new">
      <Button type="primary" icon={<PlusOutlined />}>
        {t('destinations.connect')}
      </Button>
    </Link>
  );
  const rows = (data?.data ?? []).filter((d) => !filter || (d.name + ' ' + d.connector).toLowerCase().includes(filter.toLowerCase()));
  return (
    <>
      <PageHeader title={t('destinations.title')} sub={t('destinations.subtitle')} extra={connect} />
      <ErrorAlert error={error} />
      <Input.Search allowClear placeholder={t('destinations.filter')} onChange={(e) => setFilter(e.target.value)} style={{ maxWidth: 320, marginBottom: 12 }} />
      <Table<Destination>
        rowKey="id"
        loading={isLoading}
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: <EmptyState text={t('destinations.empty')} action={connect} /> }}
        columns={[
          { title: t('destinations.name'), dataIndex: 'name', render: (name, d) => <Link to={`/destinations/${d.id}`}>{name}</Link> },
          { title: t('destinations.platform'), dataIndex: 'connector', render: (c) => t(`destinations.connectors.${c}`, { defaultValue: c }) },
          { title: t('destinations.kind'), dataIndex: 'kind', render: (k) => <Tag>{t(`destinations.kinds.${k}`)}</Tag> },
          { title: t('destinations.status'), dataIndex: 'status', render: (s) => <Badge status={s === 'active' ? 'success' : 'warning'} text={t(`destinations.${s}`)} /> },
          { title: t('common.created'), dataIndex: 'createdAt', render: (at) => fmt.dateTime(at) },
        ]}
      />
    </>
  );
}
