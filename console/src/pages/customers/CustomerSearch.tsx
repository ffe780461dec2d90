// Find a customer by any identifier (email, phone, user id, order id…) or a trait prefix.
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { Input, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../../api/client';
import type { Page, SearchHit } from '../../api/types';
import { EmptyState, ErrorAlert, PageHeader } from '../../components/feedback';

export const profilePath = (id: string) => `/customers/profile/${seg(id)}`;

export function displayName(traits: Record<string, unknown>) {
  const name = traits.name ?? [traits.firstName ?? traits.first_name, traits.lastName ?? traits.last_name].filter(Boolean).join(' ');
  return (name as string) || (traits.email as string) || null;
}

export default function CustomerSearch() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const { data, error, isFetching } = useQuery({
    queryKey: ['profile-search', q],
    queryFn: () => api.get<Page<SearchHit>>('/v1/profiles', { q, limit: 50 }),
    enabled: q.length > 0,
  });
  return (
    <>
      <PageHeader title={t('customers.title')} sub={t('customers.subtitle')} />
      <Input.Search
        size="large"
        autoFocus
        allowClear
        enterButton={t('customers.search')}
        defaultValue={q}
        placeholder={t('customers.searchPlaceholder')}
        aria-label={t('customers.search')}
        onSearch={(v) => {
          setParams(v.trim() ? { q: v.trim() } : {});
        }}
        style={{ maxWidth: 640, marginBottom: 16 }}
        loading={isFetching}
      />
      <ErrorAlert error={error} />
      {q && (
        <Table<SearchHit>
          rowKey="id"
          dataSource={data?.data ?? []}
          loading={isFetching}
          pagination={false}
          onRow={(p) => ({ onClick: () => navigate(profilePath(p.id)), style: { cursor: 'pointer' } })}
          locale={{ emptyText: <EmptyState text={t('customers.noMatch', { q })} /> }}
          columns={[
            { title: t('customers.name'), render: (_, p) => <Link to={profilePath(p.id)}>{displayName(p.traits) ?? p.identities[0]?.value ?? p.id}</Link> },
            {
              title: t('customers.identities'),
              render: (_, p) => (
                <Space size={[4, 4]} wrap>
                  {p.identities.slice(0, 6).map((i) => (
                    <Tag key={i.type + i.value}>
                      {i.type}: {i.value}
                    </Tag>
                  ))}
                </Space>
              ),
            },
          ]}
        />
      )}
      {!q && <EmptyState text={t('customers.hint')} />}
    </>
  );
}
