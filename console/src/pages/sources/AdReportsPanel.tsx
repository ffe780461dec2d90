// Ad platforms' spend: upload a report export (Meta, Google Ads, Baidu, Ocean Engine, Kuaishou) and read
// each campaign's spend next to the visits its UTM campaign brought, for a date range.
import { useState } from 'react';
import { Alert, Button, Card, DatePicker, Form, Input, Select, Space, Statistic, Table, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { api } from '../../api/client';
import type { AdPlatform, AdReportImport, CampaignVisits } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { EmptyState, ErrorAlert } from '../../components/feedback';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';

const PLATFORMS = ['meta', 'google_ads', 'baidu', 'oceanengine', 'kuaishou'] as const satisfies readonly AdPlatform[];
const DAY = 'YYYY-MM-DD';
type Row = CampaignVisits['data'][number];

export function AdReportsPanel() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [dayjs().subtract(29, 'day'), dayjs()]);
  const [channel, setChannel] = useState<AdPlatform | undefined>();
  const [upload, setUpload] = useState<{ platform: AdPlatform; currency?: string; accountId?: string }>({ platform: 'meta' });
  const [imported, setImported] = useState<AdReportImport | null>(null);
  const query = { from: range[0].format(DAY), to: range[1].format(DAY), channel };
  const visits = useQuery({ queryKey: ['ad-reports', query], queryFn: () => api.get<CampaignVisits>('/v1/ad-reports/campaign-visits', query) });
  const send = useMutation({
    mutationFn: (file: File) => api.upload<AdReportImport>('/v1/ad-reports', file, 'text/csv', { platform: upload.platform, currency: upload.currency || undefined, accountId: upload.accountId || undefined }),
    onSuccess: (r) => (setImported(r), void queryClient.invalidateQueries({ queryKey: ['ad-reports'] })),
    onError: notify.error,
  });
  const rows = visits.data?.data ?? [];
  // Totals per currency: a report mixes currencies only across accounts, and sums across them mean nothing.
  const totals = [...rows.reduce((m, r) => m.set(r.currency, (m.get(r.currency) ?? 0) + r.cost), new Map<string, number>())];
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {can(me, 'adReports') && (
        <Card size="small" title={t('adReports.upload')}>
          <Form layout="inline">
            <Form.Item label={t('adReports.platform')}>
              <Select<AdPlatform> style={{ width: 180 }} value={upload.platform} onChange={(platform) => setUpload({ ...upload, platform })} options={PLATFORMS.map((p) => ({ value: p, label: t(`adReports.platforms.${p}`) }))} />
            </Form.Item>
            <Form.Item label={t('adReports.currency')} tooltip={t('adReports.currencyHelp')}>
              <Input style={{ width: 90 }} maxLength={3} value={upload.currency} onChange={(e) => setUpload({ ...upload, currency: e.target.value.toUpperCase() })} placeholder="USD" />
            </Form.Item>
            <Form.Item label={t('adReports.accountId')} tooltip={t('adReports.accountIdHelp')}>
              <Input style={{ width: 160 }} value={upload.accountId} onChange={(e) => setUpload({ ...upload, accountId: e.target.value })} />
            </Form.Item>
            <Upload accept=".csv,.tsv,.txt" showUploadList={false} beforeUpload={(file) => (send.mutate(file), false)}>
              <Button type="primary" icon={<UploadOutlined />} loading={send.isPending}>
                {t('adReports.chooseFile')}
              </Button>
            </Upload>
          </Form>
          {imported && (
            <Alert
              style={{ marginTop: 12 }}
              type="success"
              showIcon
              closable
              onClose={() => setImported(null)}
              message={t('adReports.imported', { rows: fmt.number(imported.rows), skipped: fmt.number(imported.skipped), from: imported.from ?? '—', to: imported.to ?? '—' })}
            />
          )}
        </Card>
      )}
      <Space wrap>
        <DatePicker.RangePicker allowClear={false} value={range} onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])} aria-label={t('adReports.range')} />
        <Select<AdPlatform>
          allowClear
          style={{ width: 180 }}
          placeholder={t('adReports.allChannels')}
          value={channel}
          onChange={setChannel}
          options={PLATFORMS.map((p) => ({ value: p, label: t(`adReports.platforms.${p}`) }))}
        />
        {totals.map(([currency, cost]) => (
          <Statistic key={currency} title={t('adReports.totalSpend')} value={fmt.currency(cost, currency)} />
        ))}
      </Space>
      <ErrorAlert error={visits.error} />
      <Table<Row>
        size="small"
        rowKey={(r) => `${r.day}|${r.channel}|${r.accountId}|${r.campaignId}`}
        loading={visits.isLoading}
        dataSource={rows}
        pagination={{ pageSize: 50, showSizeChanger: false }}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <EmptyState text={t('adReports.empty')} /> }}
        columns={[
          { title: t('adReports.day'), dataIndex: 'day' },
          { title: t('adReports.channel'), dataIndex: 'channel', render: (c: string) => t(`adReports.platforms.${c}`, { defaultValue: c }) },
          { title: t('adReports.campaign'), dataIndex: 'campaignName', ellipsis: true },
          { title: t('adReports.cost'), dataIndex: 'cost', align: 'right', render: (n: number, r) => fmt.currency(n, r.currency) },
          { title: t('adReports.impressions'), dataIndex: 'impressions', align: 'right', render: (n: number) => fmt.number(n) },
          { title: t('adReports.clicks'), dataIndex: 'clicks', align: 'right', render: (n: number) => fmt.number(n) },
          { title: t('adReports.visits'), dataIndex: 'visits', align: 'right', render: (n: number) => fmt.number(n) },
          { title: t('adReports.visitors'), dataIndex: 'visitors', align: 'right', render: (n: number) => fmt.number(n) },
          { title: t('adReports.costPerVisit'), dataIndex: 'costPerVisit', align: 'right', render: (n: number | null, r) => (n === null ? '—' : fmt.currency(n, r.currency)) },
        ]}
      />
      {(visits.data?.unmatchedVisits.length ?? 0) > 0 && (
        <Alert type="info" showIcon message={t('adReports.unmatched', { count: visits.data!.unmatchedVisits.reduce((n, v) => n + v.visits, 0) })} />
      )}
    </Space>
  );
}
