// IoT devices over MQTT: subscribe the source to topics on a broker, say where the device id, event
// name, properties and time are in each message, and watch the subscription's live status.
import { Alert, Badge, Button, Descriptions, Form, Input, InputNumber, Radio, Select, Space } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { orNull } from '../../api/optional';
import type { MqttSetup, MqttSource } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { Confirm, ErrorAlert } from '../../components/feedback';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';

interface MqttForm {
  brokerUrl: string;
  username?: string;
  password?: string;
  topics: string[];
  qos: 0 | 1;
  deviceIdFrom: 'topicLevel' | 'field';
  topicLevel?: number;
  deviceIdField?: string;
  event?: string;
  eventField?: string;
  propertiesField?: string;
  timestampField?: string;
}

const blankToUndefined = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);

function toSetup(v: MqttForm): MqttSetup {
  return {
    brokerUrl: v.brokerUrl.trim(),
    username: blankToUndefined(v.username),
    password: blankToUndefined(v.password),
    topics: v.topics,
    qos: v.qos,
    mapping: {
      deviceId: v.deviceIdFrom === 'topicLevel' ? { topicLevel: v.topicLevel ?? 1 } : { field: blankToUndefined(v.deviceIdField) },
      event: blankToUndefined(v.event),
      eventField: blankToUndefined(v.eventField),
      propertiesField: blankToUndefined(v.propertiesField),
      timestampField: blankToUndefined(v.timestampField),
    },
  };
}

function toForm(s: MqttSource | null): MqttForm {
  if (!s) return { brokerUrl: 'mqtt://', topics: ['devices/+/telemetry'], qos: 1, deviceIdFrom: 'topicLevel', topicLevel: 1 };
  const d = s.mapping.deviceId;
  return {
    brokerUrl: s.brokerUrl,
    username: s.username,
    topics: s.topics,
    qos: s.qos ?? 1,
    deviceIdFrom: d.field !== undefined ? 'field' : 'topicLevel',
    topicLevel: d.topicLevel,
    deviceIdField: d.field,
    event: s.mapping.event,
    eventField: s.mapping.eventField,
    propertiesField: s.mapping.propertiesField,
    timestampField: s.mapping.timestampField,
  };
}

export function MqttPanel({ sourceId }: { sourceId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const key = ['mqtt', sourceId];
  // The status (connected, messages) changes on its own: read it again every few seconds.
  const setup = useQuery({ queryKey: key, queryFn: () => orNull(api.get<MqttSource>(`/v1/sources/${sourceId}/mqtt`)), refetchInterval: 3000 });
  const save = useMutation({
    mutationFn: (v: MqttForm) => api.put<MqttSource>(`/v1/sources/${sourceId}/mqtt`, toSetup(v)),
    onSuccess: (s) => (queryClient.setQueryData(key, s), notify.ok(t('common.saved'))),
    onError: notify.error,
  });
  const remove = useMutation({ mutationFn: () => api.delete(`/v1/sources/${sourceId}/mqtt`), onSuccess: () => queryClient.setQueryData(key, null), onError: notify.error });
  const admin = can(me, 'sources');
  const [form] = Form.useForm<MqttForm>();
  const deviceIdFrom = Form.useWatch('deviceIdFrom', form);
  const s = setup.data;
  return (
    <Space direction="vertical" style={{ width: '100%', maxWidth: 760 }}>
      <ErrorAlert error={setup.error} />
      {s ? (
        <Descriptions bordered size="small" column={1}>
          <Descriptions.Item label={t('mqtt.status')}>
            <Badge status={s.status.connected ? 'success' : s.status.running ? 'processing' : 'default'} text={t(s.status.connected ? 'mqtt.connected' : s.status.running ? 'mqtt.connecting' : 'mqtt.notRunning')} />
          </Descriptions.Item>
          <Descriptions.Item label={t('mqtt.messages')}>{fmt.number(s.status.messages)}</Descriptions.Item>
          {s.status.lastError && (
            <Descriptions.Item label={t('mqtt.lastError')}>
              <Alert type="error" showIcon message={s.status.lastError} />
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('common.updated')}>{fmt.dateTime(s.updatedAt)}</Descriptions.Item>
        </Descriptions>
      ) : (
        setup.data === null && <Alert type="info" showIcon message={t('mqtt.none')} />
      )}
      {admin && setup.data !== undefined && (
        <Form<MqttForm> form={form} layout="vertical" onFinish={(v) => save.mutate(v)} initialValues={toForm(s ?? null)} key={s?.updatedAt ?? 'new'}>
          <Form.Item name="brokerUrl" label={t('mqtt.brokerUrl')} extra={t('mqtt.brokerUrlHelp')} rules={[{ required: true, pattern: /^(mqtts?|wss?|tcp|ssl):\/\/.+/, message: t('mqtt.brokerUrlInvalid') }]}>
            <Input placeholder="mqtt://broker.example:1883" />
          </Form.Item>
          <Space wrap>
            <Form.Item name="username" label={t('mqtt.username')}>
              <Input autoComplete="off" />
            </Form.Item>
            <Form.Item name="password" label={t('mqtt.password')} extra={s?.hasPassword ? t('mqtt.passwordKept') : undefined}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          </Space>
          <Form.Item name="topics" label={t('mqtt.topics')} extra={t('mqtt.topicsHelp')} rules={[{ required: true, type: 'array', min: 1, message: t('mqtt.topicsRequired') }]}>
            <Select mode="tags" tokenSeparators={[',', ' ']} open={false} aria-label={t('mqtt.topics')} />
          </Form.Item>
          <Form.Item name="qos" label={t('mqtt.qos')} extra={t('mqtt.qosHelp')}>
            <Radio.Group options={[{ value: 1, label: 'QoS 1' }, { value: 0, label: 'QoS 0' }]} />
          </Form.Item>
          <Form.Item name="deviceIdFrom" label={t('mqtt.deviceIdFrom')}>
            <Radio.Group options={[{ value: 'topicLevel', label: t('mqtt.fromTopicLevel') }, { value: 'field', label: t('mqtt.fromField') }]} />
          </Form.Item>
          {deviceIdFrom === 'field' ? (
            <Form.Item name="deviceIdField" label={t('mqtt.deviceIdField')} rules={[{ required: true, message: t('mqtt.fieldRequired') }]}>
              <Input placeholder="meta.device" />
            </Form.Item>
          ) : (
            <Form.Item name="topicLevel" label={t('mqtt.topicLevel')} extra={t('mqtt.topicLevelHelp')}>
              <InputNumber min={0} max={31} />
            </Form.Item>
          )}
          <Space wrap>
            <Form.Item name="event" label={t('mqtt.event')}>
              <Input placeholder="Device Message" />
            </Form.Item>
            <Form.Item name="eventField" label={t('mqtt.eventField')}>
              <Input placeholder="type" />
            </Form.Item>
            <Form.Item name="propertiesField" label={t('mqtt.propertiesField')}>
              <Input placeholder="data" />
            </Form.Item>
            <Form.Item name="timestampField" label={t('mqtt.timestampField')}>
              <Input placeholder="ts" />
            </Form.Item>
          </Space>
          <Space>
            <Button type="primary" htmlType="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
            {s && (
              <Confirm title={t('mqtt.removeConfirm')} onConfirm={() => remove.mutate()}>
                <Button danger>{t('mqtt.remove')}</Button>
              </Confirm>
            )}
          </Space>
        </Form>
      )}
    </Space>
  );
}
