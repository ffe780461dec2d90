// Web analytics: sessions (30-minute rule), bounce, session length and dwell, sessions over time,
// entry and exit pages, pages, referrers and campaigns.
import { lazy, Suspense, useMemo } from 'react';
import { Card, Col, Row, Skeleton, Statistic, Table } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { WebAnswer } from '../../api/types';
import { ErrorAlert } from '../../components/feedback';
import { useFormat } from '../../i18n/format';
import type { ChartOption } from '../../charts/Chart';
import { FilterBar, windowQuery, type Filters } from './filters';

const Chart = lazy(() => import('../../charts/Chart'));

export default function Web({ filters, onFilters }: { filters: Filters; onFilters: (f: Filters) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const q = { ...windowQuery(filters), granularity: filters.granularity, limit: 10 };
  const { data, error, isLoading } = useQuery({ queryKey: ['analytics-web', q], queryFn: () => api.get<WebAnswer>('/v1/analytics/web', q) });
  const pct = (v: number | null) => (v == null ? '—' : fmt.percent(v));
  const secs = (v: number | null) => (v == null ? '—' : t('analytics.seconds', { n: fmt.number(v, 0) }));
  const option = useMemo<ChartOption | null>(
    () =>
      data
        ? {
            grid: { left: 56, right: 16, top: 24, bottom: 32 },
            tooltip: { trigger: 'axis' },
            xAxis: { type: 'category', data: data.series.map((s) => fmt.shortDate(s.start)) },
            yAxis: { type: 'value', minInterval: 1 },
            series: [
              { type: 'bar', name: t('analytics.web.sessions'), data: data.series.map((s) => s.sessions) },
              { type: 'line', name: t('analytics.web.pageviews'), data: data.series.map((s) => s.pageviews) },
              { type: 'line', name: t('analytics.web.bounces'), data: data.series.map((s) => s.bounces) },
            ],
          }
        : null,
    [data, fmt, t],
  );
  const small = <T extends object>(title: string, rows: T[] | undefined, rowKey: keyof T & string, columns: { title: string; dataIndex: keyof T & string; render?: (v: never) => React.ReactNode }[]) => (
    <Col xs={24} xl={12}>
      <Card size="small" title={title}>
        <Table size="small" loading={isLoading} rowKey={rowKey} pagination={false} dataSource={rows ?? []} columns={columns as never} />
      </Card>
    </Col>
  );
  return (
    <>
      <FilterBar value={filters} onChange={onFilters} />
      <ErrorAlert error={error} />
      <Row gutter={[16, 16]}>
        <Col xs={12} lg={6}><Card size="small"><Statistic loading={isLoading} title={t('analytics.web.sessions')} value={data ? fmt.number(data.sessions) : 0} /></Card></Col>
        <Col xs={12} lg={6}><Card size="small"><Statistic loading={isLoading} title={t('analytics.web.bounceRate')} value={data ? pct(data.bounceRate) : 0} /></Card></Col>
        <Col xs={12} lg={6}><Card size="small"><Statistic loading={isLoading} title={t('analytics.web.avgSession')} value={data ? secs(data.avgSessionSeconds) : 0} /></Card></Col>
        <Col xs={12} lg={6}><Card size="small"><Statistic loading={isLoading} title={t('analytics.web.avgDwell')} value={data ? secs(data.avgDwellSeconds) : 0} /></Card></Col>
        <Col span={24}>
          <Card size="small">
            {option ? (
              <Suspense fallback={<Skeleton active />}>
                <Chart option={option} label={t('analytics.web.sessions')} />
              </Suspense>
            ) : (
              <Skeleton active />
            )}
          </Card>
        </Col>
        {small(t('analytics.web.entryPages'), data?.entryPages, 'path', [
          { title: t('analytics.web.page'), dataIndex: 'path' },
          { title: t('analytics.web.sessions'), dataIndex: 'sessions', render: (v: number) => fmt.number(v) },
          { title: t('analytics.web.bounceRate'), dataIndex: 'bounceRate', render: pct },
        ])}
        {small(t('analytics.web.exitPages'), data?.exitPages, 'path', [
          { title: t('analytics.web.page'), dataIndex: 'path' },
          { title: t('analytics.web.sessions'), dataIndex: 'sessions', render: (v: number) => fmt.number(v) },
        ])}
        {small(t('analytics.web.pages'), data?.pages, 'path', [
          { title: t('analytics.web.page'), dataIndex: 'path' },
          { title: t('analytics.web.pageviews'), dataIndex: 'pageviews', render: (v: number) => fmt.number(v) },
          { title: t('analytics.web.avgDwell'), dataIndex: 'avgDwellSeconds', render: secs },
        ])}
        {small(t('analytics.web.referrers'), data?.referrers, 'referrer', [
          { title: t('analytics.web.referrer'), dataIndex: 'referrer', render: (v: string) => (v === '(direct)' ? t('analytics.direct') : v) },
          { title: t('analytics.web.sessions'), dataIndex: 'sessions', render: (v: number) => fmt.number(v) },
          { title: t('analytics.web.bounceRate'), dataIndex: 'bounceRate', render: pct },
        ])}
        <Col span={24}>
          <Card size="small" title={t('analytics.web.campaigns')}>
            <Table
              size="small"
              loading={isLoading}
              rowKey={(r) => `${r.channel}/${r.campaign}`}
              pagination={false}
              dataSource={data?.campaigns ?? []}
              columns={[
                { title: t('analytics.breakdown.channel'), dataIndex: 'channel', render: (v: string) => (v === '(direct)' ? t('analytics.direct') : v) },
                { title: t('analytics.breakdown.campaign'), dataIndex: 'campaign' },
                { title: t('analytics.web.sessions'), dataIndex: 'sessions', render: (v: number) => fmt.number(v) },
                { title: t('analytics.web.bounceRate'), dataIndex: 'bounceRate', render: pct },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
