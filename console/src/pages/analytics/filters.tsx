// The window every analytics tab reads: date range, granularity, time zone, segment and breakdown, and
// the controls that set it.
import { DatePicker, Select, Space } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { api } from '../../api/client';
import type { Breakdown, Page, Segment } from '../../api/types';

export type Granularity = 'day' | 'week' | 'month';

export interface Filters {
  range: [Dayjs, Dayjs];
  granularity: Granularity;
  timeZone: string;
  segment?: string;
  breakdown?: Breakdown;
}

export const BREAKDOWNS: Breakdown[] = ['channel', 'campaign', 'device', 'country', 'category'];
const ZONES = ['UTC', 'Asia/Shanghai', 'Asia/Taipei', 'Asia/Hong_Kong', 'Asia/Tokyo', 'Asia/Kolkata', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles'];

export const initialFilters = (): Filters => ({
  range: [dayjs().subtract(29, 'day'), dayjs()],
  granularity: 'day',
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
});

/** The common query parameters of /v1/analytics/… . */
export const windowQuery = (f: Filters) => ({ from: f.range[0].format('YYYY-MM-DD'), to: f.range[1].format('YYYY-MM-DD'), timeZone: f.timeZone, segment: f.segment });

export function FilterBar({ value, onChange, granularity = true, breakdown = false }: { value: Filters; onChange: (f: Filters) => void; granularity?: boolean; breakdown?: boolean }) {
  const { t } = useTranslation();
  const segments = useQuery({ queryKey: ['segments'], queryFn: () => api.get<Page<Segment>>('/v1/segments', { limit: 200 }) });
  const zones = ZONES.includes(value.timeZone) ? ZONES : [value.timeZone, ...ZONES];
  return (
    <Space wrap style={{ marginBottom: 16 }}>
      <DatePicker.RangePicker aria-label={t('analytics.filters.range')} value={value.range} allowClear={false} onChange={(r) => r?.[0] && r[1] && onChange({ ...value, range: [r[0], r[1]] })} />
      {granularity && (
        <Select
          aria-label={t('analytics.filters.granularity')}
          style={{ width: 110 }}
          value={value.granularity}
          onChange={(g) => onChange({ ...value, granularity: g })}
          options={(['day', 'week', 'month'] as const).map((g) => ({ value: g, label: t(`analytics.granularity.${g}`) }))}
        />
      )}
      <Select aria-label={t('analytics.filters.timeZone')} style={{ width: 190 }} showSearch value={value.timeZone} onChange={(z) => onChange({ ...value, timeZone: z })} options={zones.map((z) => ({ value: z, label: z }))} />
      <Select
        aria-label={t('analytics.filters.segment')}
        style={{ width: 200 }}
        allowClear
        placeholder={t('analytics.filters.allProfiles')}
        value={value.segment}
        loading={segments.isLoading}
        onChange={(s) => onChange({ ...value, segment: s })}
        options={(segments.data?.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
      />
      {breakdown && (
        <Select
          aria-label={t('analytics.filters.breakdown')}
          style={{ width: 170 }}
          allowClear
          placeholder={t('analytics.filters.noBreakdown')}
          value={value.breakdown}
          onChange={(b) => onChange({ ...value, breakdown: b })}
          options={BREAKDOWNS.map((b) => ({ value: b, label: t(`analytics.breakdown.${b}`) }))}
        />
      )}
    </Space>
  );
}
