// Retention by cohort (first visit or first order, week or month) as a table shaded by retention, and
// the LTV curve (cumulative revenue per customer); payback per acquisition channel below.
import { lazy, Suspense, useMemo, useState } from 'react';
import { Card, Segmented, Skeleton, Space, Table } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { PaybackAnswer, RetentionAnswer } from '../../api/types';
import { ErrorAlert } from '../../components/feedback';
import { useFormat } from '../../i18n/format';
import type { ChartOption } from '../../charts/Chart';
import { FilterBar, windowQuery, type Filters } from './filters';

const Chart = lazy(() => import('../../charts/Chart'));

export default function Cohorts({ filters, onFilters }: { filters: Filters; onFilters: (f: Filters) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [cohort, setCohort] = useState<'first_seen' | 'first_order'>('first_seen');
  const granularity = filters.granularity === 'month' ? 'month' : 'week';
  const q = { ...windowQuery(filters), granularity, cohort };
  const data = useQuery({ queryKey: ['analytics-retention', q], queryFn: () => api.get<RetentionAnswer>('/v1/analytics/retention', q) });
  const payback = useQuery({ queryKey: ['analytics-payback', windowQuery(filters)], queryFn: () => api.get<PaybackAnswer>('/v1/analytics/payback', windowQuery(filters)) });
  const periods = Math.max(0, ...(data.data?.cohorts ?? []).map((c) => c.retained.length));
  const ltv = useMemo<ChartOption | null>(
    () =>
      data.data
        ? {
            grid: { left: 56, right: 16, top: 16, bottom: 32 },
            tooltip: { trigger: 'axis' },
            xAxis: { type: 'category', data: data.data.ltv.map((p) => String(p.period)) },
            yAxis: { type: 'value' },
            series: [{ type: 'line', name: t('analytics.cohorts.ltv'), data: data.data.ltv.map((p) => p.revenuePerCustomer), smooth: true }],
          }
        : null,
    [data.data, t],
  );
  return (
    <>
      <FilterBar value={filters} onChange={onFilters} />
      <Space style={{ marginBottom: 16 }}>
        <Segmented
          value={cohort}
          onChange={(v) => setCohort(v as typeof cohort)}
          options={[
            { value: 'first_seen', label: t('analytics.cohorts.firstSeen') },
            { value: 'first_order', label: t('analytics.cohorts.firstOrder') },
          ]}
        />
      </Space>
      <ErrorAlert error={data.error ?? payback.error} />
      <Card title={t('analytics.cohorts.retention')} size="small" style={{ marginBottom: 16 }}>
        <Table
          size="small"
          loading={data.isLoading}
          rowKey="start"
          pagination={false}
          scroll={{ x: true }}
          dataSource={data.data?.cohorts ?? []}
          columns={[
            { title: t('analytics.cohorts.cohort'), dataIndex: 'start', render: (v: string) => fmt.date(v), fixed: 'left' },
            { title: t('analytics.cohorts.size'), dataIndex: 'size', render: (v: number) => fmt.number(v) },
            ...Array.from({ length: periods }, (_, p) => ({
              title: t(`analytics.cohorts.period.${granularity}`, { n: p }),
              key: String(p),
              render: (_: unknown, c: RetentionAnswer['cohorts'][number]) =>
                p < c.retention.length ? <span style={{ background: `rgba(48, 86, 211, ${c.retention[p] * 0.6})`, padding: '2px 6px', borderRadius: 4 }}>{fmt.percent(c.retention[p])}</span> : null,
            })),
          ]}
        />
      </Card>
      <Card title={t('analytics.cohorts.ltv')} size="small" style={{ marginBottom: 16 }}>
        {ltv ? (
          <Suspense fallback={<Skeleton active />}>
            <Chart option={ltv} label={t('analytics.cohorts.ltv')} />
          </Suspense>
        ) : (
          <Skeleton active />
        )}
      </Card>
      <Card title={t('analytics.payback.title')} size="small">
        <Table
          size="small"
          loading={payback.isLoading}
          rowKey="channel"
          pagination={false}
          dataSource={payback.data?.data ?? []}
          columns={[
            { title: t('analytics.breakdown.channel'), dataIndex: 'channel' },
            { title: t('analytics.roi.spend'), dataIndex: 'spend', render: (v: number) => fmt.number(v, 2) },
            { title: t('analytics.payback.customers'), dataIndex: 'customers', render: (v: number) => fmt.number(v) },
            { title: t('analytics.roi.cac'), dataIndex: 'cac', render: (v: number | null) => fmt.number(v, 2) },
            { title: t('analytics.payback.months'), dataIndex: 'paybackMonths', render: (v: number | null) => (v == null ? t('analytics.payback.notYet') : fmt.number(v)) },
          ]}
        />
      </Card>
    </>
  );
}
