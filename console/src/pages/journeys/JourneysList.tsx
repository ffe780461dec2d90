// Journeys: the list with status and counts, and the templates a journey is created from (choosing the
// destinations, coupon pool and segment the template needs).
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { Button, Card, Form, Input, List, Modal, Select, Table, Tabs, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueries } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../../api/client';
import type { Destination, Journey, JourneyStats, JourneyTemplate, NewJourneyFromTemplate, Page, Segment } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { EmptyState, EnterSubmits, ErrorAlert, PageHeader } from '../../components/feedback';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';

export const STATUS_COLORS: Record<Journey['status'], string> = { draft: 'default', active: 'green', paused: 'orange', archived: 'purple' };

export default function JourneysList() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const { me } = useAuth();
  const writer = can(me, 'journeys');
  return (
    <>
      <PageHeader title={t('journeys.title')} sub={t('journeys.subtitle')} />
      <Tabs
        activeKey={params.get('tab') ?? 'journeys'}
        onChange={(tab) => setParams({ tab }, { replace: true })}
        destroyOnHidden
        items={[
          { key: 'journeys', label: t('journeys.tabs.journeys'), children: <JourneyTable onTemplates={() => setParams({ tab: 'templates' })} writer={writer} /> },
          { key: 'templates', label: t('journeys.tabs.templates'), children: <Templates writer={writer} /> },
        ]}
      />
    </>
  );
}

function JourneyTable({ writer, onTemplates }: { writer: boolean; onTemplates(): void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { data, error, isLoading } = useQuery({ queryKey: ['journeys'], queryFn: () => api.get<Page<Journey>>('/v1/journeys') });
  const journeys = data?.data ?? [];
  const stats = useQueries({ queries: journeys.map((j) => ({ queryKey: ['journey-stats', j.id], queryFn: () => api.get<JourneyStats>(`/v1/journeys/${seg(j.id)}/stats`) })) });
  const statsOf = (id: string) => stats[journeys.findIndex((j) => j.id === id)]?.data;
  return (
    <>
      <ErrorAlert error={error} />
      <Table<Journey>
        rowKey="id"
        loading={isLoading}
        dataSource={journeys}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: <EmptyState text={t('journeys.empty')} action={writer && <Button onClick={onTemplates}>{t('journeys.fromTemplate')}</Button>} /> }}
        columns={[
          { title: t('journeys.name'), dataIndex: 'name', render: (name, j) => <Link to={`/journeys/${j.id}`}>{name}</Link> },
          { title: t('journeys.status'), dataIndex: 'status', render: (s: Journey['status']) => <Tag color={STATUS_COLORS[s]}>{t(`journeys.statuses.${s}`)}</Tag> },
          { title: t('journeys.version'), dataIndex: 'version', align: 'right' },
          { title: t('journeys.entered'), align: 'right', render: (_, j) => fmt.number(statsOf(j.id)?.entered ?? 0) },
          { title: t('journeys.inside'), align: 'right', render: (_, j) => fmt.number(statsOf(j.id)?.active ?? 0) },
          { title: t('journeys.converted'), align: 'right', render: (_, j) => fmt.number(statsOf(j.id)?.converted ?? 0) },
          { title: t('common.updated'), dataIndex: 'updatedAt', render: (at: number) => fmt.dateTime(new Date(at).toISOString()) },
        ]}
      />
    </>
  );
}

function Templates({ writer }: { writer: boolean }) {
  const { t } = useTranslation();
  const { data, error, isLoading } = useQuery({ queryKey: ['journey-templates'], queryFn: () => api.get<Page<JourneyTemplate>>('/v1/journey-templates') });
  const [chosen, setChosen] = useState<JourneyTemplate | null>(null);
  return (
    <>
      <ErrorAlert error={error} />
      <List
        loading={isLoading}
        grid={{ gutter: 16, xs: 1, md: 2, xl: 3 }}
        dataSource={data?.data ?? []}
        renderItem={(tpl) => (
          <List.Item>
            <Card
              size="small"
              title={t(`journeyTemplates.${tpl.id}.title`, { defaultValue: tpl.name })}
              actions={writer ? [<Button key="use" type="link" onClick={() => setChosen(tpl)}>{t('journeys.useTemplate')}</Button>] : undefined}
            >
              <Typography.Paragraph type="secondary" style={{ minHeight: 44, margin: 0 }}>
                {t(`journeyTemplates.${tpl.id}.description`, { defaultValue: tpl.description })}
              </Typography.Paragraph>
              <div style={{ marginTop: 8 }}>
                {tpl.needs.map((n) => (
                  <Tag key={n}>{t(`journeys.needs.${n}`)}</Tag>
                ))}
              </div>
            </Card>
          </List.Item>
        )}
      />
      {chosen && <FromTemplate template={chosen} onClose={() => setChosen(null)} />}
    </>
  );
}

const CHANNEL_CONNECTORS: Record<string, string[]> = { email: ['smtp'], line: ['line'], push: ['fcm'], webhook: ['webhook'] };

function FromTemplate({ template, onClose }: { template: JourneyTemplate; onClose(): void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const navigate = useNavigate();
  const destinations = useQuery({ queryKey: ['destinations'], queryFn: () => api.get<Page<Destination>>('/v1/destinations') });
  const pools = useQuery({ queryKey: ['coupon-pools'], queryFn: () => api.get<Page<{ id: string; name: string }>>('/v1/coupon-pools'), enabled: template.needs.includes('couponPool') });
  const segments = useQuery({ queryKey: ['segments'], queryFn: () => api.get<Page<Segment>>('/v1/segments') });
  const create = useMutation({
    mutationFn: (body: NewJourneyFromTemplate) => api.post<Journey>(`/v1/journey-templates/${seg(template.id)}/journeys`, body),
    onSuccess: (j) => navigate(`/journeys/${j.id}`),
    onError: notify.error,
  });
  const [form] = Form.useForm();
  const submit = (v: { name?: string; couponPoolId?: string; segmentId?: string } & Record<string, string | undefined>) => {
    const dests = Object.fromEntries(Object.keys(CHANNEL_CONNECTORS).filter((c) => v[`dest_${c}`]).map((c) => [c, v[`dest_${c}`]!]));
    create.mutate({ name: v.name || undefined, destinations: dests, couponPoolId: v.couponPoolId, segmentId: v.segmentId });
  };
  return (
    <Modal open title={t('journeys.createFrom', { name: template.name })} onCancel={onClose} onOk={() => form.submit()} okText={t('journeys.create')} confirmLoading={create.isPending}>
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="name" label={t('journeys.name')}>
          <Input placeholder={template.name} />
        </Form.Item>
        {template.needs
          .filter((n) => n !== 'couponPool')
          .map((n) => (
            <Form.Item key={n} name={`dest_${n}`} label={t('journeys.destinationFor', { channel: t(`journeys.needs.${n}`) })} rules={[{ required: true, message: t('common.required') }]}>
              <Select
                aria-label={t('journeys.destinationFor', { channel: t(`journeys.needs.${n}`) })}
                options={(destinations.data?.data ?? []).filter((d) => CHANNEL_CONNECTORS[n]?.includes(d.connector)).map((d) => ({ value: d.id, label: d.name }))}
              />
            </Form.Item>
          ))}
        {template.needs.includes('couponPool') && (
          <Form.Item name="couponPoolId" label={t('journeys.needs.couponPool')} rules={[{ required: true, message: t('common.required') }]}>
            <Select aria-label={t('journeys.needs.couponPool')} options={(pools.data?.data ?? []).map((p) => ({ value: p.id, label: p.name }))} />
          </Form.Item>
        )}
        <Form.Item name="segmentId" label={t('journeys.segmentOptional')}>
          <Select allowClear aria-label={t('journeys.segmentOptional')} options={(segments.data?.data ?? []).map((s) => ({ value: s.id, label: s.name }))} />
        </Form.Item>
        <EnterSubmits />
      </Form>
    </Modal>
  );
}
