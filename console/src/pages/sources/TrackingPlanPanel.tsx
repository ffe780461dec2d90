// Tracking plan (JSON Schema per event) and its violations.
import { useEffect, useState } from 'react';
import { Button, Card, Col, Row, Space, Statistic, Table, Tag } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { orNull } from '../../api/optional';
import type { Page, TrackingPlan, Violation, ViolationCounts } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { Confirm, EmptyState, ErrorAlert } from '../../components/feedback';
import { CodeInput, parseJson } from '../../components/JsonEditor';
import { Pager, usePaged } from '../../components/paging';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';

const EXAMPLE: TrackingPlan = {
  onViolation: 'keep',
  unplannedEvents: 'violation',
  events: { 'Order Completed': { properties: { type: 'object', required: ['total'], properties: { total: { type: 'number' } } } } },
};

export function TrackingPlanPanel({ sourceId }: { sourceId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const key = ['tracking-plan', sourceId];
  const plan = useQuery({ queryKey: key, queryFn: () => orNull(api.get<TrackingPlan>(`/v1/sources/${sourceId}/tracking-plan`)) });
  const summary = useQuery({ queryKey: [...key, 'summary'], queryFn: () => api.get<ViolationCounts>(`/v1/sources/${sourceId}/tracking-plan/violations/summary`, { hours: 24 }) });
  const violations = usePaged([...key, 'violations'], (cursor) => api.get<Page<Violation>>(`/v1/sources/${sourceId}/tracking-plan/violations`, { cursor, limit: 50 }));
  const [text, setText] = useState('');
  useEffect(() => {
    if (plan.data !== undefined) setText(JSON.stringify(plan.data ?? EXAMPLE, null, 2));
  }, [plan.data]);
  const parsed = parseJson(text);
  const save = useMutation({
    mutationFn: (body: unknown) => api.put<TrackingPlan>(`/v1/sources/${sourceId}/tracking-plan`, body),
    onSuccess: (p) => (queryClient.setQueryData(key, p), notify.ok(t('common.saved'))),
    onError: notify.error,
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/v1/sources/${sourceId}/tracking-plan`),
    onSuccess: () => (queryClient.setQueryData(key, null), notify.ok(t('common.removed'))),
    onError: notify.error,
  });
  const writer = can(me, 'trackingPlans');
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={12}>
        <Card title={t('plan.title')} extra={plan.data === null && <Tag>{t('plan.none')}</Tag>}>
          <ErrorAlert error={plan.error} />
          <p style={{ marginTop: 0 }}>{t('plan.help')}</p>
          <CodeInput label={t('plan.title')} value={text} onChange={setText} rows={18} invalid={!parsed.ok} />
          {writer && (
            <Space style={{ marginTop: 12 }}>
              <Button type="primary" disabled={!parsed.ok} loading={save.isPending} onClick={() => parsed.ok && save.mutate(parsed.value)}>
                {t('common.save')}
              </Button>
              {plan.data && (
                <Confirm title={t('plan.removeConfirm')} onConfirm={() => remove.mutate()}>
                  <Button danger>{t('common.remove')}</Button>
                </Confirm>
              )}
            </Space>
          )}
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Card title={t('plan.violations24h')}>
          <Space size="large" style={{ marginBottom: 12 }}>
            <Statistic title={t('plan.total')} value={fmt.number(summary.data?.total ?? 0)} />
            <Statistic title={t('plan.blocked')} value={fmt.number(summary.data?.blocked ?? 0)} />
          </Space>
          <ErrorAlert error={violations.error} />
          <Table<Violation>
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={violations.rows}
            locale={{ emptyText: <EmptyState text={t('plan.noViolations')} /> }}
            columns={[
              { title: t('failed.at'), dataIndex: 'at', render: (at) => fmt.dateTime(at) },
              { title: t('events.event'), render: (_, v) => v.event ?? v.type },
              { title: t('failed.code'), dataIndex: 'code', render: (c, v) => <Tag color={v.blocked ? 'red' : 'orange'}>{c}</Tag> },
              { title: t('failed.reason'), dataIndex: 'message' },
            ]}
          />
          <Pager paged={violations} />
        </Card>
      </Col>
    </Row>
  );
}
