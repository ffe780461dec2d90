// One destination: delivery stats, test, pause/resume, resync, deliveries and dead letters (replay).
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { Alert, Badge, Button, Card, Col, Descriptions, Row, Select, Space, Statistic, Table, Tabs, Tag, type TableProps } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Delivery, DeliveryStats, Destination, Page, ResyncResult } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { Confirm, EmptyState, ErrorAlert, PageHeader } from '../../components/feedback';
import { CodeBlock } from '../../components/CodeBlock';
import { Pager, usePaged } from '../../components/paging';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';
import { JobProgress } from '../../components/JobProgress';

const STATUSES = ['queued', 'inflight', 'retrying', 'delivered', 'skipped', 'dead'] as const;

export default function DestinationDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const notify = useNotify();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const admin = can(me, 'destinations');
  const dest = useQuery({ queryKey: ['destinations', id], queryFn: () => api.get<Destination>(`/v1/destinations/${id}`) });
  const [resynced, setResyncResult] = useState<{ result: ResyncResult; at: number } | null>(null);
  // While a resync's changes are still queued, the stats are read every 1.5 s (else every 5 s).
  const waiting = (s: DeliveryStats | undefined) => (s ? s.queued + s.inflight + s.retrying : 0);
  const resyncTotal = resynced && 'added' in resynced.result ? resynced.result.added + resynced.result.removed : 0;
  const stats = useQuery({
    queryKey: ['destination-stats', id],
    queryFn: () => api.get<DeliveryStats>(`/v1/destinations/${id}/stats`),
    refetchInterval: (q) => (resyncTotal > 0 && waiting(q.state.data) > 0 ? 1500 : 5000),
  });
  const refresh = () => void queryClient.invalidateQueries({ predicate: (q) => JSON.stringify(q.queryKey).includes(id) });
  const test = useMutation({ mutationFn: () => api.post<{ ok: boolean; status: number | null; response: string }>(`/v1/destinations/${id}/test`) });
  const pause = useMutation({
    mutationFn: (paused: boolean) => api.post<Destination>(`/v1/destinations/${id}/${paused ? 'pause' : 'resume'}`),
    onSuccess: (d) => queryClient.setQueryData(['destinations', id], d),
    onError: notify.error,
  });
  const resync = useMutation({
    mutationFn: () => api.post<ResyncResult>(`/v1/destinations/${id}/resync`),
    onSuccess: (result) => (notify.ok(t('destinations.resyncQueued')), setResyncResult({ result, at: Date.now() }), refresh()),
    onError: notify.error,
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/v1/destinations/${id}`),
    onSuccess: () => (void queryClient.invalidateQueries({ queryKey: ['destinations'] }), navigate('/destinations')),
    onError: notify.error,
  });
  const d = dest.data;
  return (
    <>
      <PageHeader
        title={d?.name ?? '…'}
        sub={d && `${t(`destinations.connectors.${d.connector}`, { defaultValue: d.connector })} · ${t(`destinations.kinds.${d.kind}`)}`}
        extra={
          d && (
            <Space wrap>
              <Button onClick={() => test.mutate()} loading={test.isPending} disabled={!admin}>
                {t('destinations.test')}
              </Button>
              {admin && <Button onClick={() => pause.mutate(d.status === 'active')}>{t(d.status === 'active' ? 'destinations.pause' : 'destinations.resume')}</Button>}
              {admin && d.kind === 'audience' && (
                <Button onClick={() => resync.mutate()} loading={resync.isPending}>
                  {t('destinations.resync')}
                </Button>
              )}
              {admin && (
                <Confirm title={t('destinations.deleteConfirm')} onConfirm={() => remove.mutate()}>
                  <Button danger>{t('common.delete')}</Button>
                </Confirm>
              )}
            </Space>
          )
        }
      />
      <ErrorAlert error={dest.error ?? test.error} />
      {test.data && (
        <Alert
          closable
          style={{ marginBottom: 16 }}
          type={test.data.ok ? 'success' : 'error'}
          showIcon
          message={t(test.data.ok ? 'destinations.testOk' : 'destinations.testFailed', { status: test.data.status ?? '—' })}
          description={test.data.response && <code style={{ fontSize: 12 }}>{test.data.response.slice(0, 500)}</code>}
        />
      )}
      {resynced && (
        <Alert
          closable
          onClose={() => setResyncResult(null)}
          style={{ marginBottom: 16 }}
          type="info"
          message={t('destinations.resyncProgress')}
          description={
            'added' in resynced.result ? (
              // The resync's changes leave with the rest of the queue: done when what is still waiting is gone.
              <JobProgress
                width={360}
                state={resyncTotal === 0 || waiting(stats.data) === 0 ? 'done' : 'running'}
                done={resyncTotal - Math.min(resyncTotal, waiting(stats.data))}
                total={resyncTotal}
                unit="jobs.units.members"
                startedAt={resynced.at}
              />
            ) : (
              <JobProgress width={360} state="done" done={resynced.result.replaced} total={resynced.result.replaced} unit="jobs.units.members" />
            )
          }
        />
      )}
      {d && (
        <Row gutter={[16, 16]}>
          <Col span={24}>
            <Row gutter={[12, 12]}>
              {STATUSES.map((s) => (
                <Col xs={8} lg={4} key={s}>
                  <Card size="small">
                    <Statistic title={t(`destinations.stats.${s}`)} value={fmt.number(stats.data?.[s] ?? 0)} valueStyle={s === 'dead' && stats.data?.dead ? { color: '#cf1322' } : undefined} />
                  </Card>
                </Col>
              ))}
            </Row>
          </Col>
          <Col xs={24} xl={8}>
            <Card size="small">
              <Descriptions column={1} size="small">
                <Descriptions.Item label={t('destinations.status')}>
                  <Badge status={d.status === 'active' ? 'success' : 'warning'} text={t(`destinations.${d.status}`)} />
                </Descriptions.Item>
                <Descriptions.Item label={t('destinations.circuit')}>{stats.data && <Tag>{t(`destinations.circuits.${stats.data.circuit}`, { defaultValue: stats.data.circuit })}</Tag>}</Descriptions.Item>
                <Descriptions.Item label={t('destinations.latency')}>
                  p50 {fmt.number(stats.data?.latencyMs.p50)} ms · p99 {fmt.number(stats.data?.latencyMs.p99)} ms
                </Descriptions.Item>
                <Descriptions.Item label={t('destinations.category')}>{d.category ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('destinations.secretsSet')}>{d.secretsSet.join(', ') || '—'}</Descriptions.Item>
              </Descriptions>
              <CodeBlock code={JSON.stringify({ config: d.config, filter: d.filter, segments: d.segments, mapping: d.mapping }, null, 2)} maxHeight={300} />
            </Card>
          </Col>
          <Col xs={24} xl={16}>
            <Card size="small">
              <Tabs
                items={[
                  { key: 'deliveries', label: t('destinations.deliveries'), children: <Deliveries id={id} /> },
                  { key: 'dead', label: t('destinations.deadLetters'), children: <DeadLetters id={id} admin={admin} onChange={refresh} /> },
                ]}
              />
            </Card>
          </Col>
        </Row>
      )}
    </>
  );
}

/** Deliveries or dead letters of a destination, paged, each row expanding to its payload and last response. */
function DeliveryTable({ paged, empty, rowSelection }: { paged: ReturnType<typeof usePaged<Delivery>>; empty: string; rowSelection?: TableProps<Delivery>['rowSelection'] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const columns: TableProps<Delivery>['columns'] = [
    { title: t('destinations.created'), dataIndex: 'createdAt', render: (at: string) => fmt.dateTime(at) },
    { title: t('destinations.op'), dataIndex: 'op', render: (op: string) => <Tag>{op}</Tag> },
    { title: t('destinations.status'), dataIndex: 'status', render: (s: string) => <Tag color={s === 'delivered' ? 'green' : s === 'dead' ? 'red' : 'blue'}>{t(`destinations.stats.${s}`, { defaultValue: s })}</Tag> },
    { title: t('destinations.attempts'), dataIndex: 'attempts' },
    { title: t('destinations.lastStatus'), dataIndex: 'lastStatus', render: (s: number | null) => s ?? '—' },
    { title: t('destinations.lastError'), dataIndex: 'lastError', ellipsis: true, render: (e: string | null) => e ?? '—' },
  ];
  return (
    <>
      <ErrorAlert error={paged.error} />
      <Table<Delivery>
        size="small"
        rowKey="id"
        pagination={false}
        loading={paged.isFetching}
        dataSource={paged.rows}
        rowSelection={rowSelection}
        columns={columns}
        expandable={{ expandedRowRender: (r) => <CodeBlock code={JSON.stringify({ payload: r.payload, lastResponse: r.lastResponse }, null, 2)} /> }}
        locale={{ emptyText: <EmptyState text={empty} /> }}
      />
      <Pager paged={paged} />
    </>
  );
}

function Deliveries({ id }: { id: string }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string | undefined>();
  const paged = usePaged(['deliveries', id, status], (cursor) => api.get<Page<Delivery>>(`/v1/destinations/${id}/deliveries`, { status, cursor, limit: 50 }));
  return (
    <>
      <Select allowClear placeholder={t('destinations.status')} value={status} onChange={setStatus} style={{ width: 180, marginBottom: 12 }} options={STATUSES.map((s) => ({ value: s, label: t(`destinations.stats.${s}`) }))} />
      <DeliveryTable paged={paged} empty={t('destinations.noDeliveries')} />
    </>
  );
}

function DeadLetters({ id, admin, onChange }: { id: string; admin: boolean; onChange(): void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [selected, setSelected] = useState<number[]>([]);
  const paged = usePaged(['dead-letters', id], (cursor) => api.get<Page<Delivery>>(`/v1/destinations/${id}/dead-letters`, { cursor, limit: 50 }));
  const act = useMutation({
    mutationFn: ({ action, ids }: { action: 'replay' | 'delete'; ids?: number[] }) => api.post<{ replayed?: number; deleted?: number }>(`/v1/destinations/${id}/dead-letters/${action}`, ids ? { ids } : {}),
    onSuccess: (r) => {
      notify.ok(r.replayed !== undefined ? t('destinations.replayed', { n: r.replayed }) : t('destinations.deleted', { n: r.deleted }));
      setSelected([]);
      onChange();
    },
    onError: notify.error,
  });
  return (
    <>
      {admin && (
        <Space style={{ marginBottom: 12 }}>
          <Button type="primary" disabled={selected.length === 0} onClick={() => act.mutate({ action: 'replay', ids: selected })}>
            {t('destinations.replaySelected')}
          </Button>
          <Confirm title={t('destinations.replayAllConfirm')} onConfirm={() => act.mutate({ action: 'replay' })}>
            <Button disabled={paged.rows.length === 0}>{t('destinations.replayAll')}</Button>
          </Confirm>
          <Confirm title={t('destinations.deleteSelectedConfirm')} onConfirm={() => act.mutate({ action: 'delete', ids: selected })}>
            <Button danger disabled={selected.length === 0}>
              {t('destinations.deleteSelected')}
            </Button>
          </Confirm>
        </Space>
      )}
      <DeliveryTable
        paged={paged}
        empty={t('destinations.noDeadLetters')}
        rowSelection={admin ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]) } : undefined}
      />
    </>
  );
}
