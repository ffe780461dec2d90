// Funnel builder: ordered steps (event + optional property filter), a conversion window; the answer
// as a bar per step with conversion and median time from the previous step.
import { lazy, Suspense, useMemo, useState } from 'react';
import { Button, Card, Input, InputNumber, Space, Table, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { FunnelAnswer, FunnelQuery } from '../../api/types';
import { ErrorAlert } from '../../components/feedback';
import { useFormat } from '../../i18n/format';
import type { ChartOption } from '../../charts/Chart';
import { FilterBar, windowQuery, type Filters } from './filters';

const Chart = lazy(() => import('../../charts/Chart'));
type Step = { event: string; property: string; value: string };
const blank = (event = ''): Step => ({ event, property: '', value: '' });

export default function Funnels({ filters, onFilters }: { filters: Filters; onFilters: (f: Filters) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [steps, setSteps] = useState<Step[]>([blank('Product Viewed'), blank('Add to Cart'), blank('Order Completed')]);
  const [windowHours, setWindowHours] = useState(24);
  const run = useMutation({
    mutationFn: () => {
      const body: FunnelQuery = {
        ...windowQuery(filters),
        breakdown: filters.breakdown,
        windowSeconds: Math.round(windowHours * 3600),
        steps: steps.map((s) => ({ event: s.event.trim(), ...(s.property.trim() ? { where: [{ property: s.property.trim(), op: 'eq' as const, value: s.value }] } : {}) })),
      };
      return api.post<FunnelAnswer>('/v1/analytics/funnels', body);
    },
  });
  const set = (i: number, patch: Partial<Step>) => setSteps(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const option = useMemo<ChartOption | null>(() => {
    const d = run.data;
    if (!d) return null;
    return {
      grid: { left: 56, right: 16, top: 16, bottom: 48 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: d.steps.map((s, i) => `${i + 1}. ${s.event}`) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: t('analytics.funnel.users'), data: d.steps.map((s) => s.users), itemStyle: { color: '#3056d3' }, label: { show: true, position: 'top' } }],
    };
  }, [run.data, t]);
  const pct = (v: number | null) => (v == null ? '—' : fmt.percent(v));
  return (
    <>
      <FilterBar value={filters} onChange={onFilters} granularity={false} breakdown />
      <Card title={t('analytics.funnel.steps')} size="small" style={{ marginBottom: 16 }}>
        <Space direction="vertical" style={{ width: '100%' }}>
          {steps.map((s, i) => (
            <Space key={i} wrap>
              <Typography.Text strong>{i + 1}.</Typography.Text>
              <Input aria-label={t('analytics.funnel.event')} placeholder={t('analytics.funnel.event')} value={s.event} onChange={(e) => set(i, { event: e.target.value })} style={{ width: 220 }} />
              <Input aria-label={t('analytics.funnel.property')} placeholder={t('analytics.funnel.property')} value={s.property} onChange={(e) => set(i, { property: e.target.value })} style={{ width: 160 }} />
              <Input aria-label={t('analytics.funnel.equals')} placeholder={t('analytics.funnel.equals')} value={s.value} disabled={!s.property} onChange={(e) => set(i, { value: e.target.value })} style={{ width: 160 }} />
              <Button aria-label={t('analytics.funnel.removeStep')} icon={<DeleteOutlined />} disabled={steps.length <= 2} onClick={() => setSteps(steps.filter((_, j) => j !== i))} />
            </Space>
          ))}
          <Space wrap>
            <Button icon={<PlusOutlined />} disabled={steps.length >= 10} onClick={() => setSteps([...steps, blank()])}>
              {t('analytics.funnel.addStep')}
            </Button>
            <span>{t('analytics.funnel.window')}</span>
            <InputNumber aria-label={t('analytics.funnel.window')} min={0.1} max={2160} value={windowHours} onChange={(v) => setWindowHours(v ?? 24)} addonAfter={t('analytics.funnel.hours')} />
            <Button type="primary" loading={run.isPending} disabled={steps.some((s) => !s.event.trim())} onClick={() => run.mutate()}>
              {t('analytics.funnel.run')}
            </Button>
          </Space>
        </Space>
      </Card>
      <ErrorAlert error={run.error} />
      {run.data && option && (
        <Card>
          <Suspense fallback={null}>
            <Chart option={option} label={t('analytics.funnel.users')} />
          </Suspense>
          <Table
            size="small"
            rowKey={(_, i) => String(i)}
            pagination={false}
            dataSource={run.data.steps}
            columns={[
              { title: t('analytics.funnel.event'), dataIndex: 'event' },
              { title: t('analytics.funnel.users'), dataIndex: 'users', render: (v: number) => fmt.number(v) },
              { title: t('analytics.funnel.fromStart'), dataIndex: 'conversionFromStart', render: pct },
              { title: t('analytics.funnel.fromPrevious'), dataIndex: 'conversionFromPrevious', render: pct },
              { title: t('analytics.funnel.medianTime'), dataIndex: 'medianSecondsFromPrevious', render: (v: number | null) => (v == null ? '—' : t('analytics.minutes', { n: fmt.number(v / 60, 1) })) },
            ]}
          />
          {run.data.groups.length > 0 && (
            <Table
              size="small"
              style={{ marginTop: 16 }}
              rowKey="group"
              pagination={false}
              dataSource={run.data.groups}
              columns={[
                { title: t(`analytics.breakdown.${filters.breakdown ?? 'channel'}`), dataIndex: 'group' },
                ...run.data.steps.map((s, i) => ({ title: `${i + 1}. ${s.event}`, key: String(i), render: (_: unknown, g: FunnelAnswer['groups'][number]) => fmt.number(g.steps[i].users) })),
              ]}
            />
          )}
        </Card>
      )}
    </>
  );
}
