// A segment: its rule summary, members (paged, CSV export) and enter/exit history.
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useState } from 'react';
import { Button, Card, Col, Descriptions, Input, Row, Space, Table, Tabs, Tag } from 'antd';
import { DownloadOutlined, EditOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, request } from '../../api/client';
import type { Page, Rule, Segment, SegmentChange, SegmentMemberWithContacts } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can, has } from '../../auth/permissions';
import { Confirm, EmptyState, ErrorAlert, PageHeader } from '../../components/feedback';
import { CodeBlock } from '../../components/CodeBlock';
import { Pager, usePaged } from '../../components/paging';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';
import { profilePath } from '../customers/CustomerSearch';
import { RuleSummary } from './RuleSummary';
import { ListTable } from '../../components/ListTable';

export default function SegmentDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const navigate = useNavigate();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const segment = useQuery({ queryKey: ['segments', id], queryFn: () => api.get<Segment>(`/v1/segments/${id}`) });
  // Members with their email, phone and name for a role that reads profiles (masked by the server for its access).
  const withContacts = has(me, 'profiles:read');
  const members = usePaged(['segment-members', id, withContacts], (cursor) =>
    api.get<Page<SegmentMemberWithContacts>>(`/v1/segments/${id}/members`, { cursor, limit: 50, contacts: withContacts || undefined }),
  );
  const [historyOf, setHistoryOf] = useState('');
  const history = usePaged(['segment-history', id, historyOf], (cursor) => api.get<Page<SegmentChange>>(`/v1/segments/${id}/history`, { cursor, limit: 50, profileId: historyOf }));
  const remove = useMutation({
    mutationFn: () => api.delete(`/v1/segments/${id}`),
    onSuccess: () => (void queryClient.invalidateQueries({ queryKey: ['segments'] }), navigate('/segments')),
    onError: notify.error,
  });
  const exportCsv = async () => {
    try {
      const blob = await (await request('GET', `/v1/segments/${id}/members.csv`)).blob();
      const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: `${segment.data?.name ?? id}.csv` });
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (err) {
      notify.error(err);
    }
  };
  const s = segment.data;
  const writer = can(me, 'segments');
  return (
    <>
      <PageHeader
        title={s?.name ?? '…'}
        sub={s?.description}
        extra={
          <Space>
            <Button icon={<DownloadOutlined />} onClick={() => void exportCsv()}>
              {t('segments.exportCsv')}
            </Button>
            {writer && (
              <Link to={`/segments/${id}/edit`}>
                <Button icon={<EditOutlined />}>{t('common.edit')}</Button>
              </Link>
            )}
            {writer && (
              <Confirm title={t('segments.deleteConfirm')} onConfirm={() => remove.mutate()}>
                <Button danger>{t('common.delete')}</Button>
              </Confirm>
            )}
          </Space>
        }
      />
      <ErrorAlert error={segment.error} />
      {s && (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={8}>
            <Card size="small">
              <Descriptions column={1} size="small">
                <Descriptions.Item label={t('segments.members')}>{fmt.number(s.memberCount)}</Descriptions.Item>
                <Descriptions.Item label={t('segments.tag')}>{s.tag ? <Tag>{s.tag}</Tag> : '—'}</Descriptions.Item>
                <Descriptions.Item label={t('segments.template')}>{s.template ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('common.updated')}>{fmt.dateTime(s.updatedAt)}</Descriptions.Item>
              </Descriptions>
              <RuleSummary root={(s.rule as Rule).root} />
              <CodeBlock code={JSON.stringify(s.rule, null, 2)} maxHeight={360} />
            </Card>
          </Col>
          <Col xs={24} xl={16}>
            <Card size="small">
              <Tabs
                items={[
                  {
                    key: 'members',
                    label: t('segments.members'),
                    children: (
                      <>
                        <ListTable<SegmentMemberWithContacts>
                          rowKey="profileId"
                          loading={members.isFetching}
                          error={members.error}
                          rows={members.rows}
                          cursor={members}
                          search={(m) => [m.profileId, m.contacts?.email, m.contacts?.phone, m.contacts?.name]}
                          searchPlaceholder={t(withContacts ? 'segments.membersFilter' : 'segments.membersFilterIds')}
                          empty={{ text: t('segments.noMembers') }}
                          columns={[
                            { title: t('segments.profile'), dataIndex: 'profileId', render: (p) => <Link to={profilePath(p)}>{p}</Link> },
                            ...(withContacts
                              ? (['email', 'phone', 'name'] as const).map((k) => ({
                                  title: t(`segments.contact.${k}`),
                                  key: k,
                                  render: (_: unknown, m: SegmentMemberWithContacts) => m.contacts?.[k] ?? '—',
                                }))
                              : []),
                            { title: t('segments.enteredAt'), dataIndex: 'enteredAt', render: (at) => fmt.dateTime(at) },
                          ]}
                        />
                      </>
                    ),
                  },
                  {
                    key: 'history',
                    label: t('segments.history'),
                    children: (
                      <>
                        <Input.Search
                          allowClear
                          placeholder={t('segments.historyOf')}
                          aria-label={t('segments.historyOf')}
                          onSearch={(v) => setHistoryOf(v.trim())}
                          style={{ maxWidth: 360, marginBottom: 12 }}
                        />
                        <ErrorAlert error={history.error} />
                        <Table<SegmentChange>
                          size="small"
                          rowKey="changeSeq"
                          pagination={false}
                          loading={history.isFetching}
                          dataSource={history.rows}
                          locale={{ emptyText: <EmptyState text={t('segments.noHistory')} /> }}
                          columns={[
                            { title: t('segments.when'), dataIndex: 'at', render: (at) => fmt.dateTime(at) },
                            { title: t('segments.change'), dataIndex: 'kind', render: (k) => <Tag color={k === 'entered' ? 'green' : 'red'}>{t(`segments.${k}`)}</Tag> },
                            { title: t('segments.profile'), dataIndex: 'profileId', render: (p) => <Link to={profilePath(p)}>{p}</Link> },
                          ]}
                        />
                        <Pager paged={history} />
                      </>
                    ),
                  },
                ]}
              />
            </Card>
          </Col>
        </Row>
      )}
    </>
  );
}
