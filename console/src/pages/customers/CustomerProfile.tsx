// The 360° customer card: identities, traits with their source and time, computed traits, segments,
// RFM, the timeline (filterable, each entry traceable to its raw event), merge history and unmerge.
import { useState, type HTMLAttributes } from 'react';
import type { Dayjs } from 'dayjs';
import { Link, useParams } from 'react-router-dom';
import { Button, Card, Checkbox, Col, DatePicker, Descriptions, Drawer, Form, Input, Modal, Row, Select, Skeleton, Space, Statistic, Table, Tag, Timeline, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ConsentCard } from '../privacy/ConsentCard';
import { api, seg } from '../../api/client';
import { orNull } from '../../api/optional';
import type { Membership, Merge, Page, Profile, ProfilePredictions, Recommendations, RfmScore, Source, TimelineEntry } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { allowed, can } from '../../auth/permissions';
import { ErrorAlert, PageHeader } from '../../components/feedback';
import { CodeBlock } from '../../components/CodeBlock';
import { ListTable } from '../../components/ListTable';
import { usePaged } from '../../components/paging';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';
import { displayName, profilePath } from './CustomerSearch';

const TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'];
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export default function CustomerProfile() {
  const { idType = 'profile', idValue = '' } = useParams();
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const base = `/v1/profiles/${seg(idType)}/${seg(idValue)}`;
  const profile = useQuery({ queryKey: ['profile', idType, idValue], queryFn: () => api.get<Profile>(base) });
  const id = profile.data?.id;
  const mayReadSegments = allowed(me, 'segments');
  const memberships = useQuery({ queryKey: ['memberships', id], queryFn: () => api.get<Page<Membership>>(`/v1/segment-memberships/${seg(id!)}`), enabled: !!id && mayReadSegments });
  const rfm = useQuery({ queryKey: ['rfm-score', id], queryFn: () => orNull(api.get<RfmScore>(`/v1/rfm/scores/${seg(id!)}`)), enabled: !!id && mayReadSegments });
  const mayReadPredictions = allowed(me, 'predictions');
  const predictions = useQuery({ queryKey: ['profile-predictions', id], queryFn: () => orNull(api.get<ProfilePredictions>(`${base}/predictions`)), enabled: !!id && mayReadPredictions });
  const recommended = useQuery({ queryKey: ['profile-recommendations', id], queryFn: () => orNull(api.get<Recommendations>(`${base}/recommendations`, { n: 5 })), enabled: !!id && mayReadPredictions });
  const sources = useQuery({ queryKey: ['sources'], queryFn: () => api.get<Page<Source>>('/v1/sources'), enabled: allowed(me, 'sources') });
  const sourceName = (sourceId: string | null) => (sourceId && sources.data?.data.find((s) => s.id === sourceId)?.name) || sourceId || '—';

  if (profile.error) return <ErrorAlert error={profile.error} />;
  if (!profile.data) return <Skeleton active />;
  const p = profile.data;
  return (
    <>
      <PageHeader title={displayName(Object.fromEntries(Object.entries(p.traits).map(([k, v]) => [k, v.value]))) ?? p.id} sub={<Typography.Text copyable={{ text: p.id }}>{p.id}</Typography.Text>} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={9}>
          <Space direction="vertical" size={16} style={{ width: '100%' }}>
            <Card size="small">
              <Row>
                <Col span={8}>
                  <Statistic title={t('profile.events')} value={fmt.number(p.summary.eventCount)} />
                </Col>
                <Col span={16}>
                  <div style={{ fontSize: 13 }}>
                    {t('profile.firstSeen')}: {fmt.dateTime(p.summary.firstSeen)}
                    <br />
                    {t('profile.lastSeen')}: {fmt.dateTime(p.summary.lastSeen)}
                  </div>
                </Col>
              </Row>
            </Card>
            <Card size="small" title={t('profile.identities')}>
              <Space size={[4, 8]} wrap data-testid="identities">
                {p.identities.map((i) => (
                  <Tag key={i.type + i.value} color="geekblue">
                    {i.type}: {i.value}
                  </Tag>
                ))}
              </Space>
            </Card>
            <Card size="small" title={t('profile.traits')}>
              <Table
                size="small"
                rowKey="name"
                pagination={false}
                dataSource={Object.entries(p.traits).map(([name, v]) => ({ name, ...v }))}
                locale={{ emptyText: t('profile.noTraits') }}
                columns={[
                  { title: t('profile.trait'), dataIndex: 'name' },
                  { title: t('profile.value'), dataIndex: 'value', render: show },
                  {
                    title: t('profile.setBy'),
                    render: (_, v) => (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {sourceName(v.source)}
                        <br />
                        {fmt.dateTime(v.timestamp)}
                      </Typography.Text>
                    ),
                  },
                ]}
              />
            </Card>
            <Card size="small" title={t('profile.computed')}>
              {Object.keys(p.computed).length === 0 ? (
                <Typography.Text type="secondary">{t('profile.noComputed')}</Typography.Text>
              ) : (
                <Descriptions size="small" column={1}>
                  {Object.entries(p.computed).map(([k, v]) => (
                    <Descriptions.Item key={k} label={k}>
                      {typeof v === 'number' ? fmt.number(v, 2) : show(v)}
                    </Descriptions.Item>
                  ))}
                </Descriptions>
              )}
            </Card>
            {mayReadSegments && (
              <Card size="small" title={t('profile.segments')}>
                <Space size={[4, 8]} wrap>
                  {(memberships.data?.data ?? []).map((m) => (
                    <Link key={m.segmentId} to={`/segments/${m.segmentId}`}>
                      <Tag color="purple">
                        {m.name}
                        {m.tag && ` · #${m.tag}`}
                      </Tag>
                    </Link>
                  ))}
                  {memberships.data?.data.length === 0 && <Typography.Text type="secondary">{t('profile.noSegments')}</Typography.Text>}
                </Space>
                {rfm.data && (
                  <div style={{ marginTop: 12 }}>
                    RFM: <Tag color="gold">{rfm.data.rfm_segment}</Tag> R{rfm.data.rfm_r} F{rfm.data.rfm_f} M{rfm.data.rfm_m}
                  </div>
                )}
              </Card>
            )}
            <ConsentCard base={base} />
            {predictions.data && (
              <Card size="small" title={t('predictions.traits')}>
                <Descriptions size="small" column={1}>
                  <Descriptions.Item label={t('predictions.pAlive')}>{fmt.percent(predictions.data.p_alive ?? 0)}</Descriptions.Item>
                  <Descriptions.Item label={t('predictions.expectedOrders')}>{fmt.number(predictions.data.expected_orders_90d, 2)}</Descriptions.Item>
                  <Descriptions.Item label={t('predictions.clv')}>{fmt.number(predictions.data.clv_12m, 2)}</Descriptions.Item>
                  {predictions.data.purchase_intent !== null && <Descriptions.Item label={t('predictions.purchaseIntent')}>{fmt.percent(predictions.data.purchase_intent)}</Descriptions.Item>}
                  {predictions.data.churn_risk !== null && <Descriptions.Item label={t('predictions.churnRisk')}>{fmt.percent(predictions.data.churn_risk)}</Descriptions.Item>}
                </Descriptions>
                {recommended.data && recommended.data.data.length > 0 && (
                  <div style={{ marginTop: 8 }}>
                    {t('predictions.recommended')}:{' '}
                    {recommended.data.data.map((r) => (
                      <Tag key={r.item} color={r.reason === 'similar' ? 'blue' : 'default'}>
                        {r.item}
                      </Tag>
                    ))}
                  </div>
                )}
              </Card>
            )}
            <MergeHistory base={base} profile={p} admin={can(me, 'unmerge')} />
          </Space>
        </Col>
        <Col xs={24} xl={15}>
          <ProfileTimeline base={base} sources={sources.data?.data} sourceName={sourceName} />
        </Col>
      </Row>
    </>
  );
}

interface TimelineFilter {
  type?: string;
  event?: string;
  sourceId?: string;
  from?: string;
  to?: string;
}

/**
 * The timeline as one of the console's lists: the API's cursor pages, filters the API applies (type, event
 * name, source, a period of the events' own time), the load error, and an empty state that tells a new
 * profile from filters that hide everything. Each entry names its source and messageId; a click opens it.
 */
function ProfileTimeline({ base, sources, sourceName }: { base: string; sources: Source[] | undefined; sourceName(id: string | null): string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [form] = Form.useForm();
  const [filter, setFilter] = useState<TimelineFilter>({});
  const [open, setOpen] = useState<TimelineEntry | null>(null);
  const paged = usePaged(['timeline', base, filter], (cursor) => api.get<Page<TimelineEntry>>(`${base}/events`, { ...filter, cursor, limit: 25 }));
  const filtered = Object.values(filter).some(Boolean);
  const apply = (v: { type?: string; event?: string; sourceId?: string; range?: [Dayjs | null, Dayjs | null] | null }) =>
    setFilter({ type: v.type || undefined, event: v.event?.trim() || undefined, sourceId: v.sourceId || undefined, from: v.range?.[0]?.startOf('day').toISOString(), to: v.range?.[1]?.add(1, 'day').startOf('day').toISOString() });
  const clear = () => {
    form.resetFields();
    setFilter({});
  };
  return (
    <Card size="small" title={t('profile.timeline')} data-testid="timeline">
      <Form form={form} layout="inline" onFinish={apply} style={{ marginBottom: 12, rowGap: 8 }}>
        <Form.Item name="type">
          <Select allowClear placeholder={t('events.type')} aria-label={t('events.type')} style={{ width: 130 }} options={TYPES.map((v) => ({ value: v, label: v }))} />
        </Form.Item>
        <Form.Item name="event">
          <Input allowClear placeholder={t('events.event')} aria-label={t('events.event')} style={{ width: 170 }} />
        </Form.Item>
        {sources && (
          <Form.Item name="sourceId">
            <Select allowClear showSearch optionFilterProp="label" placeholder={t('profile.source')} aria-label={t('profile.source')} style={{ width: 160 }} options={sources.map((s) => ({ value: s.id, label: s.name }))} />
          </Form.Item>
        )}
        <Form.Item name="range">
          <DatePicker.RangePicker aria-label={t('profile.period')} />
        </Form.Item>
        <Button htmlType="submit">{t('common.filter')}</Button>
      </Form>
      <ListTable<TimelineEntry>
        rowKey="seq"
        loading={paged.isFetching}
        rows={paged.rows}
        error={paged.error}
        cursor={paged}
        onRow={(e) => ({ 'data-testid': 'timeline-entry', onClick: () => setOpen(e), onKeyDown: (k) => k.key === 'Enter' && setOpen(e), tabIndex: 0, style: { cursor: 'pointer' } }) as HTMLAttributes<HTMLElement>}
        empty={filtered ? { text: t('profile.noEvents'), action: <Button onClick={clear}>{t('profile.clearFilters')}</Button> } : { text: t('profile.timelineEmpty') }}
        scroll={{ x: 640 }}
        columns={[
          { title: t('events.timestamp'), dataIndex: 'timestamp', width: 170, render: (at: string) => fmt.dateTime(at) },
          {
            title: t('events.event'),
            render: (_, e) => (
              <>
                <Space size={4} wrap>
                  <Typography.Text strong>{e.event ?? e.type}</Typography.Text>
                  <Tag color={e.type === 'track' ? 'blue' : e.type === 'identify' ? 'green' : undefined}>{e.type}</Tag>
                </Space>
                {Object.keys(e.properties).length > 0 && (
                  <div style={{ fontSize: 12, color: 'rgba(0,0,0,.6)' }}>
                    {Object.entries(e.properties)
                      .slice(0, 3)
                      .map(([k, v]) => `${k}: ${show(v)}`)
                      .join(' · ')}
                  </div>
                )}
              </>
            ),
          },
          { title: t('profile.source'), dataIndex: 'sourceId', width: 140, render: (id: string | null) => sourceName(id) },
          { title: 'messageId', dataIndex: 'messageId', width: 180, ellipsis: true, render: (id: string | null) => (id ? <Typography.Text code>{id}</Typography.Text> : '—') },
        ]}
      />
      <Drawer open={!!open} width={560} title={open?.event ?? open?.type} onClose={() => setOpen(null)}>
        {open && (
          <>
            <Descriptions size="small" column={1} bordered style={{ marginBottom: 16 }}>
              <Descriptions.Item label="messageId">
                <Typography.Text copyable>{open.messageId ?? '—'}</Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('profile.source')}>{sourceName(open.sourceId)}</Descriptions.Item>
              <Descriptions.Item label={t('profile.logPosition')}>{open.seq}</Descriptions.Item>
              <Descriptions.Item label={t('events.timestamp')}>{fmt.dateTime(open.timestamp)}</Descriptions.Item>
            </Descriptions>
            <CodeBlock code={JSON.stringify(open.properties, null, 2)} />
          </>
        )}
      </Drawer>
    </Card>
  );
}

function MergeHistory({ base, profile, admin }: { base: string; profile: Profile; admin: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const merges = useQuery({ queryKey: ['merges', base], queryFn: () => api.get<Page<Merge>>(`${base}/merges`) });
  const [unmerging, setUnmerging] = useState(false);
  const [picked, setPicked] = useState<string[]>([]);
  const unmerge = useMutation({
    mutationFn: () => api.post<{ newProfileId: string | null }>(`${base}/unmerge`, { identifiers: picked.map((k) => JSON.parse(k) as { type: string; value: string }) }),
    onSuccess: () => {
      notify.ok(t('profile.unmerged'));
      setUnmerging(false);
      setPicked([]);
      void queryClient.invalidateQueries();
    },
    onError: notify.error,
  });
  return (
    <Card
      size="small"
      title={t('profile.mergeHistory')}
      extra={
        admin &&
        profile.identities.length > 1 && (
          <Button size="small" onClick={() => setUnmerging(true)}>
            {t('profile.unmerge')}
          </Button>
        )
      }
    >
      <ErrorAlert error={merges.error} />
      {(merges.data?.data ?? []).length === 0 ? (
        <Typography.Text type="secondary">{t('profile.noMerges')}</Typography.Text>
      ) : (
        <Timeline
          items={merges.data!.data.map((m, i) => ({
            key: i,
            color: m.kind === 'merge' ? 'blue' : 'red',
            children: (
              <>
                <Typography.Text strong>{t(`profile.${m.kind}`)}</Typography.Text> <Typography.Text type="secondary">{fmt.dateTime(m.at)}</Typography.Text>
                <div style={{ fontSize: 12 }}>
                  {m.identifiers.map((i) => `${i.type}: ${i.value}`).join(', ')}
                  {m.otherProfileId && (
                    <>
                      {' · '}
                      <Link to={profilePath(m.otherProfileId)}>{m.otherProfileId}</Link>
                    </>
                  )}
                </div>
              </>
            ),
          }))}
        />
      )}
      <Modal
        open={unmerging}
        title={t('profile.unmergeTitle')}
        onCancel={() => setUnmerging(false)}
        onOk={() => unmerge.mutate()}
        okButtonProps={{ disabled: picked.length === 0, danger: true, loading: unmerge.isPending }}
        okText={t('profile.unmerge')}
        cancelText={t('common.cancel')}
      >
        <p>{t('profile.unmergeHelp')}</p>
        <Checkbox.Group value={picked} onChange={(v) => setPicked(v as string[])} style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
          {profile.identities.map((i) => (
            <Checkbox key={i.type + i.value} value={JSON.stringify(i)}>
              {i.type}: {i.value}
            </Checkbox>
          ))}
        </Checkbox.Group>
      </Modal>
    </Card>
  );
}
