// Channel ROI: spend against attributed orders and revenue per channel and campaign, under the chosen
// attribution model; ROAS as a bar per channel.
import { lazy, Suspense, useMemo, useState } from 'react';
import { Card, InputNumber, Segmented, Space, Table } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { AttributionModel, RoiAnswer } from '../../api/types';
import { ErrorAlert } from '../../components/feedback';
import { useFormat } from '../../i18n/format';
import type { ChartOption } from '../../charts/Chart';
import { FilterBar, windowQuery, type Filters } from './filters';

const Chart = lazy(() => import('../../charts/Chart'));
const MODELS: AttributionModel[] = ['last_touch', 'first_touch', 'linear'];
type Row = RoiAnswer['campaigns'][number];

export default function ChannelRoi({ filters, onFilters }: { filters: Filters; onFilters: (f: Filters) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [model, setModel] = useState<AttributionModel>('last_touch');
  const [lookbackDays, setLookback] = useState(30);
  const q = { ...windowQuery(filters), model, lookbackDays };
  const { data, error, isLoading } = useQuery({ queryKey: ['analytics-roi', q], queryFn: () => api.get<RoiAnswer>('/v1/analytics/roi', q) });
  // One currency: format as money; several: plain numbers (the API adds them as they are).
  const money = (v: number | null) => (v == null ? '—' : data?.currencies.length === 1 ? fmt.currency(v, data.currencies[0]) : fmt.number(v, 2));
  const ratio = (v: number | null) => (v == null ? '—' : fmt.number(v, 2));
  const option = useMemo<ChartOption | null>(
    () =>
      data
        ? {
            grid: { left: 56, right: 16, top: 24, bottom: 32 },
            tooltip: { trigger: 'axis' },
            xAxis: { type: 'category', data: data.channels.map((c) => c.channel) },
            yAxis: { type: 'value' },
            series: [
              { type: 'bar', name: t('analytics.roi.spend'), data: data.channels.map((c) => c.spend) },
              { type: 'bar', name: t('analytics.metric.revenue'), data: data.channels.map((c) => c.revenue) },
            ],
          }
        : null,
    [data, t],
  );
  const columns = (first: { title: string; dataIndex: keyof Row }[]) => [
    ...first,
    { title: t('analytics.roi.spend'), dataIndex: 'spend', render: money },
    { title: t('analytics.metric.orders'), dataIndex: 'orders', render: (v: number) => fmt.number(v, 1) },
    { title: t('analytics.metric.revenue'), dataIndex: 'revenue', render: money },
    { title: t('analytics.metric.newCustomers'), dataIndex: 'newCustomers', render: (v: number) => fmt.number(v, 1) },
    { title: t('analytics.roi.roas'), dataIndex: 'roas', render: ratio },
    { title: t('analytics.roi.roi'), dataIndex: 'roi', render: (v: number | null) => (v == null ? '—' : fmt.percent(v)) },
    { title: t('analytics.roi.cac'), dataIndex: 'cac', render: money },
  ];
  return (
    <>
      <FilterBar value={filters} onChange={onFilters} granularity={false} />
      <Space wrap style={{ marginBottom: 16 }}>
        <Segmented value={model} onChange={(v) => setModel(v as AttributionModel)} options={MODELS.map((m) => ({ value: m, label: t(`analytics.roi.model.${m}`) }))} />
        <span>{t('analytics.roi.lookback')}</span>
        <InputNumber aria-label={t('analytics.roi.lookback')} min={1} max={90} value={lookbackDays} onChange={(v) => setLookback(v ?? 30)} addonAfter={t('analytics.roi.days')} />
      </Space>
      <ErrorAlert error={error} />
      <Card size="small" style={{ marginBottom: 16 }}>
        {option && (
          <Suspense fallback={null}>
            <Chart option={option} label={t('analytics.tabs.roi')} />
          </Suspense>
        )}
        <Table size="small" loading={isLoading} rowKey="channel" pagination={false} dataSource={data?.channels ?? []} columns={columns([{ title: t('analytics.breakdown.channel'), dataIndex: 'channel' }]) as never} />
      </Card>
      <Card size="small" title={t('analytics.roi.campaigns')}>
        <Table
          size="small"
          loading={isLoading}
          rowKey={(r: Row) => `${r.channel}/${r.campaign}`}
          pagination={{ pageSize: 20 }}
          dataSource={data?.campaigns ?? []}
          columns={columns([{ title: t('analytics.breakdown.channel'), dataIndex: 'channel' }, { title: t('analytics.breakdown.campaign'), dataIndex: 'campaign' }]) as never}
        />
      </Card>
    </>
  );
}
