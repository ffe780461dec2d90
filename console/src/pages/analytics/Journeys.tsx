// Journey effect: per journey, conversion and revenue per entry of the treated group against the
// holdout, and the difference with Welch's 95 % interval (GET /v1/analytics/journeys).
import { Card, Table, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { JourneysAnswer } from '../../api/types';
import { ErrorAlert } from '../../components/feedback';
import { useFormat } from '../../i18n/format';
import { FilterBar, windowQuery, type Filters } from './filters';

type Row = JourneysAnswer['data'][number];
type Difference = Row['conversion'];

export default function Journeys({ filters, onFilters }: { filters: Filters; onFilters: (f: Filters) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const q = windowQuery(filters);
  const { data, error, isLoading } = useQuery({ queryKey: ['analytics-journeys', q], queryFn: () => api.get<JourneysAnswer>('/v1/analytics/journeys', q) });
  const pct = (v: number | null) => (v == null ? '—' : fmt.percent(v));
  const num = (v: number | null) => fmt.number(v, 2);
  const diff = (show: (v: number | null) => string) => (d: Difference) =>
    d == null ? t('analytics.journeys.noHoldout') : `${show(d.difference)}${d.ci95 ? ` [${show(d.ci95[0])}, ${show(d.ci95[1])}]` : ''}`;
  const group = (key: 'treated' | 'holdout') => ({
    title: t(`analytics.journeys.${key}`),
    children: [
      { title: t('analytics.journeys.people'), key: `${key}-people`, render: (_: unknown, r: Row) => fmt.number(r[key].people) },
      { title: t('analytics.journeys.conversion'), key: `${key}-conversion`, render: (_: unknown, r: Row) => pct(r[key].conversionRate) },
      { title: t('analytics.journeys.revenuePerPerson'), key: `${key}-revenue`, render: (_: unknown, r: Row) => num(r[key].revenuePerPerson) },
    ],
  });
  return (
    <>
      <FilterBar value={filters} onChange={onFilters} granularity={false} />
      <ErrorAlert error={error} />
      <Card size="small">
        <Typography.Paragraph type="secondary">{t('analytics.journeys.note')}</Typography.Paragraph>
        <Table
          size="small"
          loading={isLoading}
          rowKey="journeyId"
          pagination={{ pageSize: 20 }}
          locale={{ emptyText: t('analytics.journeys.empty') }}
          dataSource={data?.data ?? []}
          columns={[
            { title: t('analytics.journeys.journey'), dataIndex: 'name' },
            group('treated'),
            group('holdout'),
            {
              title: `${t('analytics.journeys.difference')}, ${t('analytics.journeys.ci')}`,
              children: [
                { title: t('analytics.journeys.conversion'), dataIndex: 'conversion', render: diff(pct) },
                { title: t('analytics.journeys.revenuePerPerson'), dataIndex: 'revenuePerPerson', render: diff(num) },
              ],
            },
          ]}
        />
      </Card>
    </>
  );
}
