// Destinations: the list with each one's delivery state.
import { Link } from 'react-router-dom';
import { Badge, Button, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Destination, Page } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { PageHeader } from '../../components/feedback';
import { ListTable } from '../../components/ListTable';
import { useFormat } from '../../i18n/format';

export default function DestinationsList() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const { data, error, isLoading } = useQuery({ queryKey: ['destinations'], queryFn: () => api.get<Page<Destination>>('/v1/destinations') });
  const admin = can(me, 'destinations');
  const connect = admin && (
    <Link to="/destinations/new">
      <Button type="primary" icon={<PlusOutlined />}>
        {t('destinations.connect')}
      </Button>
    </Link>
  );
  return (
    <>
      <PageHeader title={t('destinations.title')} sub={t('destinations.subtitle')} extra={connect} />
      <ListTable<Destination>
        rowKey="id"
        size="middle"
        loading={isLoading}
        error={error}
        rows={data?.data}
        search={(d) => [d.name, d.connector, t(`destinations.connectors.${d.connector}`, { defaultValue: d.connector })]}
        searchPlaceholder={t('destinations.filter')}
        empty={{ text: t('destinations.empty'), action: connect }}
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
