// Connect a destination: pick the platform, fill what it needs, choose the audiences or events it gets.
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Button, Card, Col, Form, Input, InputNumber, Row, Select, Space, Switch, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Destination, NewDestination, Page, Segment } from '../../api/types';
import { ErrorAlert, PageHeader } from '../../components/feedback';
import { CONNECTOR_NAMES, CONNECTORS, type ConnectorField } from './connectors';

interface FormValues {
  name: string;
  category?: string;
  config?: Record<string, unknown>;
  secrets?: Record<string, string>;
  audiences?: { segmentId: string; audienceId: string }[];
  events?: string[];
  segmentId?: string;
}

export default function DestinationCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [connector, setConnector] = useState('webhook');
  const spec = CONNECTORS[connector];
  const segments = useQuery({ queryKey: ['segments'], queryFn: () => api.get<Page<Segment>>('/v1/segments') });
  const segmentOptions = (segments.data?.data ?? []).map((s) => ({ value: s.id, label: s.name }));
  const create = useMutation({
    mutationFn: (body: NewDestination) => api.post<Destination>('/v1/destinations', body),
    onSuccess: (d) => (void queryClient.invalidateQueries({ queryKey: ['destinations'] }), navigate(`/destinations/${d.id}`)),
  });
  const submit = (v: FormValues) => {
    const clean = <T,>(o: Record<string, T> | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([, x]) => x !== undefined && x !== '' && x !== null)) as Record<string, T>;
    const body: NewDestination = {
      name: v.name,
      kind: spec.kind,
      connector,
      ...(v.category ? { category: v.category } : {}),
      config: clean(v.config),
      secrets: clean(v.secrets),
    };
    if (spec.kind === 'audience') body.segments = Object.fromEntries((v.audiences ?? []).filter((a) => a?.segmentId && a.audienceId).map((a) => [a.segmentId, a.audienceId]));
    else if (v.events?.length || v.segmentId) body.filter = { ...(v.events?.length ? { events: v.events } : {}), ...(v.segmentId ? { segmentId: v.segmentId } : {}) };
    create.mutate(body);
  };
  return (
    <>
      <PageHeader title={t('destinations.connect')} sub={t('destinations.connectHelp')} />
      <Card style={{ maxWidth: 820 }}>
        <Form layout="vertical" onFinish={submit} key={connector}>
          <Form.Item label={t('destinations.platform')}>
            <Select value={connector} onChange={setConnector} options={CONNECTOR_NAMES.map((c) => ({ value: c, label: t(`destinations.connectors.${c}`) }))} aria-label={t('destinations.platform')} />
            <Typography.Text type="secondary">{t(`destinations.kinds.${spec.kind}`)}</Typography.Text>
          </Form.Item>
          <Row gutter={12}>
            <Col xs={24} md={12}>
              <Form.Item name="name" label={t('destinations.name')} rules={[{ required: true, message: t('destinations.nameRequired') }]}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="category" label={t('destinations.category')} extra={t('destinations.categoryHelp')}>
                <Input placeholder="advertising" />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={12}>
            {spec.fields.map((f) => (
              <Col xs={24} md={f.type === 'textarea' ? 24 : 12} key={f.in + f.name}>
                <FieldInput field={f} />
              </Col>
            ))}
          </Row>
          {spec.kind === 'audience' ? (
            <Form.List name="audiences" initialValue={[{}]}>
              {(fields, { add, remove }) => (
                <Form.Item label={t('destinations.audiences')} extra={t('destinations.audiencesHelp')}>
                  <Space direction="vertical" style={{ width: '100%' }}>
                    {fields.map((field) => (
                      <Space key={field.key} align="baseline" wrap>
                        <Form.Item name={[field.name, 'segmentId']} noStyle>
                          <Select placeholder={t('destinations.segment')} options={segmentOptions} style={{ width: 260 }} />
                        </Form.Item>
                        <Form.Item name={[field.name, 'audienceId']} noStyle>
                          <Input placeholder={t('destinations.audienceId')} style={{ width: 240 }} />
                        </Form.Item>
                        <Button type="text" icon={<DeleteOutlined />} aria-label={t('rule.remove')} onClick={() => remove(field.name)} />
                      </Space>
                    ))}
                    <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>
                      {t('destinations.addAudience')}
                    </Button>
                  </Space>
                </Form.Item>
              )}
            </Form.List>
          ) : (
            <Row gutter={12}>
              <Col xs={24} md={12}>
                <Form.Item name="events" label={t('destinations.onlyEvents')} extra={t('destinations.onlyEventsHelp')}>
                  <Select mode="tags" open={false} suffixIcon={null} placeholder="Order Completed" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="segmentId" label={t('destinations.onlySegment')}>
                  <Select allowClear options={segmentOptions} />
                </Form.Item>
              </Col>
            </Row>
          )}
          <ErrorAlert error={create.error} />
          <Space>
            <Button type="primary" htmlType="submit" loading={create.isPending}>
              {t('destinations.create')}
            </Button>
            <Button onClick={() => navigate('/destinations')}>{t('common.cancel')}</Button>
          </Space>
        </Form>
      </Card>
    </>
  );
}

function FieldInput({ field }: { field: ConnectorField }) {
  const { t } = useTranslation();
  const label = (
    <span>
      {t(`destinations.fields.${field.name}`, { defaultValue: field.name })}
      {field.in === 'secrets' && <Typography.Text type="secondary"> ({t('destinations.secret')})</Typography.Text>}
    </span>
  );
  const rules = field.required ? [{ required: true, message: t('common.required') }] : undefined;
  const name = [field.in, field.name];
  switch (field.type) {
    case 'password':
      return (
        <Form.Item name={name} label={label} rules={rules}>
          <Input.Password autoComplete="off" />
        </Form.Item>
      );
    case 'number':
      return (
        <Form.Item name={name} label={label} rules={rules}>
          <InputNumber style={{ width: '100%' }} placeholder={field.placeholder} />
        </Form.Item>
      );
    case 'boolean':
      return (
        <Form.Item name={name} label={label} valuePropName="checked">
          <Switch />
        </Form.Item>
      );
    case 'textarea':
      return (
        <Form.Item name={name} label={label} rules={rules}>
          <Input.TextArea rows={3} placeholder={field.placeholder} />
        </Form.Item>
      );
    case 'select':
      return (
        <Form.Item name={name} label={label} rules={rules}>
          <Select allowClear options={field.options!.map((o) => ({ value: o, label: o }))} />
        </Form.Item>
      );
    default:
      return (
        <Form.Item name={name} label={label} rules={rules}>
          <Input placeholder={field.placeholder} />
        </Form.Item>
      );
  }
}
