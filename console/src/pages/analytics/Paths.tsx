// Paths: the most frequent next (or previous) events or pages around an anchor.
import { useState } from 'react';
import { Card, Input, Progress, Segmented, Space, Table } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { PathsAnswer } from '../../api/types';
import { ErrorAlert } from '../../components/feedback';
import { useFormat } from '../../i18n/format';
import { FilterBar, windowQuery, type Filters } from './filters';

export default function Paths({ filters, onFilters }: { filters: Filters; onFilters: (f: Filters) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [kind, setKind] = useState<'events' | 'pages'>('events');
  const [direction, setDirection] = useState<'next' | 'previous'>('next');
  const [anchor, setAnchor] = useState('Product Viewed');
  const q = { ...windowQuery(filters), kind, direction, anchor: anchor.trim(), limit: 15 };
  const data = useQuery({ queryKey: ['analytics-paths', q], queryFn: () => api.get<PathsAnswer>('/v1/analytics/paths', q), enabled: q.anchor !== '' });
  return (
    <>
      <FilterBar value={filters} onChange={onFilters} granularity={false} />
      <Space wrap style={{ marginBottom: 16 }}>
        <Segmented value={kind} onChange={(v) => setKind(v as typeof kind)} options={[{ value: 'events', label: t('analytics.paths.events') }, { value: 'pages', label: t('analytics.paths.pages') }]} />
        <Segmented value={direction} onChange={(v) => setDirection(v as typeof direction)} options={[{ value: 'next', label: t('analytics.paths.next') }, { value: 'previous', label: t('analytics.paths.previous') }]} />
        <Input.Search aria-label={t('analytics.paths.anchor')} placeholder={t('analytics.paths.anchor')} defaultValue={anchor} onSearch={setAnchor} style={{ width: 260 }} enterButton />
      </Space>
      <ErrorAlert error={data.error} />
      <Card size="small" title={data.data ? t('analytics.paths.occurrences', { n: fmt.number(data.data.occurrences) }) : undefined}>
        <Table
          size="small"
          loading={data.isLoading}
          rowKey="step"
          pagination={false}
          dataSource={data.data?.data ?? []}
          columns={[
            { title: t('analytics.paths.step'), dataIndex: 'step', render: (v: string) => (v === '(end)' ? t('analytics.paths.end') : v) },
            { title: t('analytics.paths.count'), dataIndex: 'count', render: (v: number) => fmt.number(v) },
            { title: t('analytics.paths.share'), dataIndex: 'share', render: (v: number) => <Progress percent={Math.round(v * 1000) / 10} size="small" format={() => fmt.percent(v)} /> },
          ]}
        />
      </Card>
    </>
  );
}
