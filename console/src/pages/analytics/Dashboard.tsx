// KPIs for the window: headline figures, their series (split by the breakdown when one is chosen),
// actives and stickiness, and the RFM grid.
import { lazy, Suspense, useMemo, useState } from 'react';
import { Card, Col, Row, Segmented, Skeleton, Statistic } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { KpiAnswer, RfmGridAnswer } from '../../api/types';
import { EmptyState, ErrorAlert } from '../../components/feedback';
import { useFormat } from '../../i18n/format';
import type { ChartOption } from '../../charts/Chart';
import { FilterBar, windowQuery, type Filters } from './filters';

const Chart = lazy(() => import('../../charts/Chart'));
const METRICS = ['revenue', 'orders', 'aov', 'activeUsers', 'customers', 'newCustomers', 'conversionRate', 'purchaseFrequency'] as const;
type Metric = (typeof METRICS)[number];

export default function Dashboard({ filters, onFilters }: { filters: Filters; onFilters: (f: Filters) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [metric, setMetric] = useState<Metric>('revenue');
  const q = { ...windowQuery(filters), granularity: filters.granularity, breakdown: filters.breakdown };
  const kpis = useQuery({ queryKey: ['analytics-kpis', q], queryFn: () => api.get<KpiAnswer>('/v1/analytics/kpis', q) });
  const rfm = useQuery({ queryKey: ['analytics-rfm', filters.segment], queryFn: () => api.get<RfmGridAnswer>('/v1/analytics/rfm-grid', { segment: filters.segment }) });
  const show = (m: Metric, v: number | null) => (v == null ? '—' : m === 'conversionRate' ? fmt.percent(v) : fmt.number(v, m === 'revenue' || m === 'aov' || m === 'purchaseFrequency' ? 2 : 0));

  const series = useMemo<ChartOption | null>(() => {
    const d = kpis.data;
    if (!d) return null;
    const starts = [...new Set(d.series.map((s) => s.start))];
    const groups = [...new Set(d.series.map((s) => s.group))];
    return {
      grid: { left: 56, right: 16, top: 24, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: starts.map((s) => fmt.shortDate(s)) },
      yAxis: { type: 'value' },
      series: groups.map((g) => ({
        type: d.breakdown ? 'bar' : 'line',
        stack: d.breakdown ? 'total' : undefined,
        name: g ?? t(`analytics.metric.${metric}`),
        data: starts.map((s) => d.series.find((x) => x.start === s && x.group === g)?.[metric] ?? 0),
      })),
    };
  }, [kpis.data, metric, fmt, t]);

  const grid = useMemo<ChartOption | null>(() => {
    if (!rfm.data || rfm.data.cells.length === 0) return null;
    const scores = ['1', '2', '3', '4', '5'];
    return {
      grid: { left: 64, right: 16, top: 16, bottom: 64 },
      tooltip: {},
      xAxis: { type: 'category', data: scores, name: t('analytics.rfm.recency'), nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'category', data: scores, name: t('analytics.rfm.frequency'), nameLocation: 'middle', nameGap: 36 },
      visualMap: { min: 0, max: Math.max(...rfm.data.cells.map((c) => c.revenue)), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 80 },
      series: [{ type: 'heatmap', name: t('analytics.metric.revenue'), data: rfm.data.cells.map((c) => [c.r - 1, c.f - 1, c.revenue, c.profiles]), label: { show: true, formatter: (p) => fmt.number((p.data as number[])[3]) } }],
    };
  }, [rfm.data, fmt, t]);

  const totals = kpis.data?.totals;
  return (
    <>
      <FilterBar value={filters} onChange={onFilters} breakdown />
      <ErrorAlert error={kpis.error ?? rfm.error} />
      <Row gutter={[16, 16]}>
        {METRICS.map((m) => (
          <Col xs={12} lg={6} key={m}>
            <Card size="small" hoverable onClick={() => setMetric(m)} style={m === metric ? { borderColor: '#3056d3' } : undefined}>
              <Statistic loading={kpis.isLoading} title={t(`analytics.metric.${m}`)} value={totals ? show(m, totals[m]) : 0} />
            </Card>
          </Col>
        ))}
        {(['dau', 'wau', 'mau', 'stickiness'] as const).map((m) => (
          <Col xs={12} lg={6} key={m}>
            <Card size="small">
              <Statistic loading={kpis.isLoading} title={t(`analytics.metric.${m}`)} value={totals ? (m === 'stickiness' ? (totals.stickiness == null ? '—' : fmt.percent(totals.stickiness)) : fmt.number(totals[m], 1)) : 0} />
            </Card>
          </Col>
        ))}
        <Col xs={24} xl={15}>
          <Card
            title={t(`analytics.metric.${metric}`)}
            extra={<Segmented size="small" value={metric} onChange={(v) => setMetric(v as Metric)} options={METRICS.slice(0, 4).map((m) => ({ value: m, label: t(`analytics.metric.${m}`) }))} />}
          >
            {series ? (
              <Suspense fallback={<Skeleton active />}>
                <Chart option={series} label={t(`analytics.metric.${metric}`)} />
              </Suspense>
            ) : (
              <Skeleton active />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <Card title={t('analytics.rfm.title')}>
            {grid ? (
              <Suspense fallback={<Skeleton active />}>
                <Chart option={grid} height={300} label={t('analytics.rfm.title')} />
              </Suspense>
            ) : (
              <EmptyState text={t('analytics.rfm.empty')} />
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
