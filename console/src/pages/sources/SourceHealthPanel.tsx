// Source health: events per hour over 24 h, last seen, failures by stage and code.
import { lazy, Suspense, useMemo } from 'react';
import { Card, Col, Row, Skeleton, Statistic, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { SourceHealth } from '../../api/types';
import { ErrorAlert } from '../../components/feedback';
import { useFormat } from '../../i18n/format';
import type { ChartOption } from '../../charts/Chart';

const Chart = lazy(() => import('../../charts/Chart'));

export function SourceHealthPanel({ sourceId }: { sourceId: string }) {
  const { t, i18n } = useTranslation();
  const fmt = useFormat();
  const { data, error } = useQuery({ queryKey: ['health', sourceId], queryFn: () => api.get<SourceHealth>(`/v1/sources/${sourceId}/health`), refetchInterval: 30_000 });
  const option = useMemo<ChartOption | null>(() => {
    if (!data) return null;
    const hour = new Intl.DateTimeFormat(i18n.language, { hour: 'numeric' });
    return {
      grid: { left: 40, right: 8, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: data.hourly.map((h) => hour.format(new Date(h.hour))) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'line', areaStyle: {}, smooth: true, name: t('overview.events'), data: data.hourly.map((h) => h.events) }],
    };
  }, [data, i18n.language, t]);
  if (error) return <ErrorAlert error={error} />;
  if (!data) return <Skeleton active />;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={8}>
        <Card>
          <Statistic title={t('health.lastSeen')} value={fmt.dateTime(data.lastSeenAt)} valueStyle={{ fontSize: 16 }} />
        </Card>
      </Col>
      <Col xs={8}>
        <Card>
          <Statistic title={t('health.events24h')} value={fmt.number(data.eventsLast24h)} />
        </Card>
      </Col>
      <Col xs={8}>
        <Card>
          <Statistic title={t('health.errors24h')} value={fmt.number(data.errorsLast24h)} valueStyle={{ color: data.errorsLast24h ? '#cf1322' : undefined }} />
        </Card>
      </Col>
      <Col span={24}>
        <Card title={t('health.perHour')}>
          <Suspense fallback={<Skeleton active />}>{option && <Chart option={option} height={220} label={t('health.perHour')} />}</Suspense>
        </Card>
      </Col>
      {data.errors.length > 0 && (
        <Col span={24}>
          <Table
            size="small"
            rowKey={(e) => e.stage + e.code}
            pagination={false}
            dataSource={data.errors}
            columns={[
              { title: t('failed.stage'), dataIndex: 'stage', render: (s) => <Tag>{s}</Tag> },
              { title: t('failed.code'), dataIndex: 'code', render: (c) => <Tag color="red">{c}</Tag> },
              { title: t('health.count'), dataIndex: 'count', render: (n) => fmt.number(n) },
              { title: t('health.lastAt'), dataIndex: 'lastAt', render: (at) => fmt.dateTime(at) },
            ]}
          />
        </Col>
      )}
    </Row>
  );
}
