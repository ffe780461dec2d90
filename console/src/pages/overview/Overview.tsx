// The dashboard: what exists (counts), events received per day, the RFM grid.
import { lazy, Suspense, useMemo } from 'react';
import { Link } from 'react-router-dom';
import { Card, Col, Row, Skeleton, Statistic } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { KpiAnswer, Overview as OverviewData } from '../../api/types';
import dayjs from 'dayjs';
import { EmptyState, ErrorAlert, PageHeader } from '../../components/feedback';
import { useFormat } from '../../i18n/format';
import type { ChartOption } from '../../charts/Chart';

const Chart = lazy(() => import('../../charts/Chart'));

export default function Overview() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { data, error, isLoading } = useQuery({ queryKey: ['overview'], queryFn: () => api.get<OverviewData>('/v1/overview'), refetchInterval: 30_000 });
  // The last 30 days' KPIs in the browser's time zone (the Analytics section has the full dashboard).
  const kpiQuery = { from: dayjs().subtract(29, 'day').format('YYYY-MM-DD'), to: dayjs().format('YYYY-MM-DD'), timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', granularity: 'month' };
  const kpis = useQuery({ queryKey: ['overview-kpis', kpiQuery], queryFn: () => api.get<KpiAnswer>('/v1/analytics/kpis', kpiQuery), refetchInterval: 60_000 });
  const totals = kpis.data?.totals;

  const eventsOption = useMemo<ChartOption | null>(
    () =>
      data ? {
        grid: { left: 48, right: 16, top: 16, bottom: 32 },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: data.eventsPerDay.map((d) => fmt.shortDate(d.day)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [{ type: 'bar', name: t('overview.events'), data: data.eventsPerDay.map((d) => d.events), itemStyle: { color: '#3056d3' } }],
      } : null,
    [data, fmt, t],
  );
  const rfmOption = useMemo<ChartOption | null>(() => {
    if (!data || data.rfm.grid.length === 0) return null;
    const scores = ['1', '2', '3', '4', '5'];
    return {
      grid: { left: 64, right: 16, top: 16, bottom: 64 },
      tooltip: {},
      xAxis: { type: 'category', data: scores, name: t('overview.recency'), nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'category', data: scores, name: t('overview.frequency'), nameLocation: 'middle', nameGap: 36 },
      visualMap: { min: 0, max: Math.max(...data.rfm.grid.map((g) => g.profiles)), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 80 },
      series: [{ type: 'heatmap', name: t('overview.profiles'), data: data.rfm.grid.map((g) => [g.r - 1, g.f - 1, g.profiles]), label: { show: true } }],
    };
  }, [data, t]);

  const noEvents = data && data.eventsPerDay.every((d) => d.events === 0);
  return (
    <>
      <PageHeader title={t('overview.title')} sub={t('overview.subtitle')} />
      <ErrorAlert error={error} />
      <Row gutter={[16, 16]}>
        {(['sources', 'profiles', 'segments', 'destinations'] as const).map((k) => (
          <Col xs={12} lg={6} key={k}>
            <Card>
              <Statistic loading={isLoading} title={t(`overview.count.${k}`)} value={data ? fmt.number(data.counts[k]) : 0} />
            </Card>
          </Col>
        ))}
        {(['revenue', 'orders', 'activeUsers', 'conversionRate'] as const).map((k) => (
          <Col xs={12} lg={6} key={k}>
            <Card size="small">
              <Statistic
                loading={kpis.isLoading}
                title={`${t(`analytics.metric.${k}`)} · ${t('overview.last30Days')}`}
                value={!totals ? '—' : k === 'conversionRate' ? (totals.conversionRate == null ? '—' : fmt.percent(totals.conversionRate)) : fmt.number(totals[k], k === 'revenue' ? 2 : 0)}
              />
            </Card>
          </Col>
        ))}
        <Col xs={24} xl={14}>
          <Card title={t('overview.eventsPerDay')}>
            {noEvents ? (
              <EmptyState text={t('overview.noEvents')} action={<Link to="/sources">{t('overview.connectSource')}</Link>} />
            ) : eventsOption ? (
              <Suspense fallback={<Skeleton active />}>
                <Chart option={eventsOption} label={t('overview.eventsPerDay')} />
              </Suspense>
            ) : (
              <Skeleton active />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title={t('overview.rfm')}>
            {rfmOption ? (
              <Suspense fallback={<Skeleton active />}>
                <Chart option={rfmOption} height={300} label={t('overview.rfm')} />
              </Suspense>
            ) : (
              <EmptyState text={t('overview.noRfm')} action={<Link to="/segments?tab=rfm">{t('overview.setUpRfm')}</Link>} />
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
