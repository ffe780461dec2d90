// One journey: the canvas (React Flow) drawing trigger → steps → branches, a side panel editing the
// selected step (or the trigger), validation before activation, the lifecycle actions and the stats
// per step with the lift over the holdout group.
import { useMemo, useState } from 'react';
import { useParams } from 'react-router-dom';
import { Alert, Button, Card, Col, Descriptions, Drawer, Form, Input, InputNumber, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Background, Controls, ReactFlow, type Edge, type Node } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { api, seg } from '../../api/client';
import type { Journey, JourneyDefinition, JourneyStats, JourneyStep, JourneyValidation } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { CodeInput, parseJson } from '../../components/JsonEditor';
import { ErrorAlert, PageHeader } from '../../components/feedback';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';
import { STATUS_COLORS } from './JourneysList';
import { toGraph, TRIGGER_ID } from './graph';

type Action = 'activate' | 'pause' | 'resume' | 'archive';
const ACTIONS: Record<Journey['status'], Action[]> = { draft: ['activate', 'archive'], active: ['pause', 'archive'], paused: ['resume', 'archive'], archived: [] };

export default function JourneyEditor() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const { me } = useAuth();
  const writer = can(me, 'journeys');
  const journey = useQuery({ queryKey: ['journey', id], queryFn: () => api.get<Journey>(`/v1/journeys/${seg(id)}`) });
  const stats = useQuery({ queryKey: ['journey-stats', id], queryFn: () => api.get<JourneyStats>(`/v1/journeys/${seg(id)}/stats`), refetchInterval: 10_000 });
  const [draft, setDraft] = useState<JourneyDefinition | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [validation, setValidation] = useState<JourneyValidation | null>(null);
  const definition = draft ?? journey.data?.definition;
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['journey', id] });
    void queryClient.invalidateQueries({ queryKey: ['journey-stats', id] });
    void queryClient.invalidateQueries({ queryKey: ['journeys'] });
  };
  const validate = useMutation({
    mutationFn: (def: JourneyDefinition) => api.post<JourneyValidation>('/v1/journeys/validate', { definition: def }),
    onSuccess: (v) => (setValidation(v), v.valid && notify.ok(t('journeys.valid'))),
    onError: notify.error,
  });
  const save = useMutation({
    mutationFn: (def: JourneyDefinition) => api.patch<Journey>(`/v1/journeys/${seg(id)}`, { definition: def }),
    onSuccess: () => (setDraft(null), notify.ok(t('common.saved')), refresh()),
    onError: notify.error,
  });
  const act = useMutation({
    mutationFn: async (a: Action) => {
      if (a === 'activate' && definition) {
        // Validate before activating: the issues name the steps to fix.
        const v = await api.post<JourneyValidation>('/v1/journeys/validate', { definition });
        setValidation(v);
        if (!v.valid) return null;
      }
      return api.post<Journey>(`/v1/journeys/${seg(id)}/${a}`);
    },
    onSuccess: (j) => j && (notify.ok(t(`journeys.done.${j.status}`)), refresh()),
    onError: notify.error,
  });

  const graph = useMemo(() => (definition ? toGraph(definition) : { nodes: [], edges: [] }), [definition]);
  const statsByStep = new Map((stats.data?.steps ?? []).map((s) => [s.stepId, s]));
  const issuesByStep = new Map((validation?.issues ?? []).filter((i) => i.stepId).map((i) => [i.stepId!, i.message]));
  const nodes: Node[] = graph.nodes.map((n) => {
    const st = statsByStep.get(n.id);
    const label = n.id === TRIGGER_ID ? `${t('journeys.trigger')}: ${t(`journeys.triggers.${definition!.trigger.type}`)}` : `${t(`journeys.steps.${n.kind}`)} · ${n.id}`;
    return {
      id: n.id,
      position: { x: n.x, y: n.y },
      data: {
        label: (
          <div data-testid={`journey-node-${n.id}`}>
            <div style={{ fontWeight: 600 }}>{label}</div>
            {st && <div style={{ fontSize: 11, color: '#888' }}>{t('journeys.nodeStats', { at: st.at, entered: st.entered, sent: st.sent })}</div>}
            {issuesByStep.has(n.id) && <div style={{ fontSize: 11, color: '#cf1322' }}>{issuesByStep.get(n.id)}</div>}
          </div>
        ),
      },
      style: { width: 220, borderColor: issuesByStep.has(n.id) ? '#cf1322' : n.id === selected ? '#3056d3' : undefined, background: n.id === TRIGGER_ID ? '#f0f5ff' : undefined },
    };
  });
  const edges: Edge[] = graph.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, label: e.label, animated: journey.data?.status === 'active' }));

  const updateStep = (step: JourneyStep, oldId: string) => definition && setDraft({ ...definition, steps: definition.steps.map((s) => (s.id === oldId ? step : s)) });
  const selectedStep = definition?.steps.find((s) => s.id === selected);
  const j = journey.data;
  return (
    <>
      <ErrorAlert error={journey.error} />
      {j && definition && (
        <>
          <PageHeader
            title={
              <Space>
                {j.name}
                <Tag color={STATUS_COLORS[j.status]}>{t(`journeys.statuses.${j.status}`)}</Tag>
                <Typography.Text type="secondary">v{j.version}</Typography.Text>
              </Space>
            }
            sub={j.description ?? undefined}
            extra={
              writer && (
                <Space wrap>
                  <Button onClick={() => validate.mutate(definition)} loading={validate.isPending}>
                    {t('journeys.validate')}
                  </Button>
                  <Button disabled={!draft} onClick={() => draft && save.mutate(draft)} loading={save.isPending}>
                    {t('journeys.save')}
                  </Button>
                  {ACTIONS[j.status].map((a) => (
                    <Button key={a} type={a === 'activate' || a === 'resume' ? 'primary' : 'default'} danger={a === 'archive'} disabled={!!draft} onClick={() => act.mutate(a)} loading={act.isPending && act.variables === a}>
                      {t(`journeys.actions.${a}`)}
                    </Button>
                  ))}
                </Space>
              )
            }
          />
          {draft && <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t(j.status === 'draft' ? 'journeys.unsaved' : 'journeys.unsavedNewVersion')} />}
          {validation && !validation.valid && (
            <Alert
              type="error"
              showIcon
              style={{ marginBottom: 12 }}
              message={t('journeys.invalid')}
              description={validation.issues.map((i, n) => <div key={n}>{i.stepId ? `${i.stepId}: ` : ''}{i.message}</div>)}
            />
          )}
          <div style={{ height: 520, border: '1px solid #f0f0f0', borderRadius: 6, background: '#fff' }} aria-label={t('journeys.canvas')}>
            <ReactFlow nodes={nodes} edges={edges} fitView nodesConnectable={false} onNodeClick={(_, n) => setSelected(n.id)} proOptions={{ hideAttribution: true }}>
              <Background />
              <Controls showInteractive={false} />
            </ReactFlow>
          </div>
          <JourneyStatsPanel stats={stats.data} />
          <Drawer open={selected !== null} onClose={() => setSelected(null)} width={460} title={selected === TRIGGER_ID ? t('journeys.trigger') : selectedStep && `${t(`journeys.steps.${selectedStep.type}`)} · ${selectedStep.id}`}>
            {selected === TRIGGER_ID && <JsonPanel key="trigger" value={definition.trigger} disabled={!writer} onApply={(v) => setDraft({ ...definition, trigger: v as JourneyDefinition['trigger'] })} />}
            {selectedStep && <StepPanel key={selectedStep.id} step={selectedStep} disabled={!writer} ids={definition.steps.map((s) => s.id)} onApply={(s) => (updateStep(s, selectedStep.id), setSelected(s.id))} />}
          </Drawer>
        </>
      )}
    </>
  );
}

/** The step's fields as a form for the common ones; every step can also be edited as JSON (the schema's shape). */
function StepPanel({ step, ids, disabled, onApply }: { step: JourneyStep; ids: string[]; disabled: boolean; onApply(s: JourneyStep): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const nextOptions = ids.filter((i) => i !== step.id).map((i) => ({ value: i, label: i }));
  const simple = step.type === 'wait' || step.type === 'wait_until' || step.type === 'wait_for_event' || step.type === 'send';
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {simple && (
        <Form form={form} layout="vertical" initialValues={step} disabled={disabled} onFinish={(v: Partial<JourneyStep>) => onApply({ ...step, ...v } as JourneyStep)}>
          {(step.type === 'wait' || step.type === 'wait_for_event') && (
            <Space.Compact>
              <Form.Item name={[step.type === 'wait' ? 'duration' : 'timeout', 'amount']} label={t(step.type === 'wait' ? 'journeys.fields.duration' : 'journeys.fields.timeout')} rules={[{ required: true }]}>
                <InputNumber min={0} />
              </Form.Item>
              <Form.Item name={[step.type === 'wait' ? 'duration' : 'timeout', 'unit']} label=" ">
                <Select style={{ width: 120 }} options={['seconds', 'minutes', 'hours', 'days', 'weeks'].map((u) => ({ value: u, label: t(`journeys.units.${u}`) }))} />
              </Form.Item>
            </Space.Compact>
          )}
          {step.type === 'wait_until' && (
            <Form.Item name="at" label={t('journeys.fields.at')} rules={[{ required: true, pattern: /^([01]\d|2[0-3]):[0-5]\d$/ }]}>
              <Input placeholder="09:00" />
            </Form.Item>
          )}
          {step.type === 'wait_for_event' && (
            <Form.Item name="event" label={t('journeys.fields.event')} rules={[{ required: true }]}>
              <Input />
            </Form.Item>
          )}
          {step.type === 'send' && (
            <>
              <Form.Item name="destinationId" label={t('journeys.fields.destination')} rules={[{ required: true }]}>
                <Input />
              </Form.Item>
              <Form.Item name={['message', 'subject']} label={t('journeys.fields.subject')}>
                <Input />
              </Form.Item>
              <Form.Item name={['message', 'title']} label={t('journeys.fields.title')}>
                <Input />
              </Form.Item>
              <Form.Item name={['message', 'body']} label={t('journeys.fields.body')}>
                <Input />
              </Form.Item>
              <Form.Item name={['message', 'text']} label={t('journeys.fields.text')}>
                <Input.TextArea rows={4} />
              </Form.Item>
            </>
          )}
          <Form.Item name="next" label={t('journeys.fields.next')}>
            <Select options={nextOptions} />
          </Form.Item>
          {step.type === 'wait_for_event' && (
            <Form.Item name="timeoutNext" label={t('journeys.fields.timeoutNext')}>
              <Select options={nextOptions} />
            </Form.Item>
          )}
          <Button htmlType="submit" type="primary">
            {t('journeys.apply')}
          </Button>
        </Form>
      )}
      <Typography.Text type="secondary">{t('journeys.asJson')}</Typography.Text>
      <JsonPanel value={step} disabled={disabled} onApply={(v) => onApply(v as JourneyStep)} />
    </Space>
  );
}

function JsonPanel({ value, disabled, onApply }: { value: unknown; disabled: boolean; onApply(v: unknown): void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(JSON.stringify(value, null, 2));
  const parsed = parseJson(text);
  return (
    <>
      <CodeInput label={t('journeys.asJson')} value={text} onChange={setText} rows={14} invalid={!parsed.ok} />
      <Button style={{ marginTop: 8 }} disabled={disabled || !parsed.ok} onClick={() => parsed.ok && onApply(parsed.value)}>
        {t('journeys.apply')}
      </Button>
    </>
  );
}

function JourneyStatsPanel({ stats }: { stats?: JourneyStats }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  if (!stats) return null;
  const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
  return (
    <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
      <Col xs={24} xl={14}>
        <Card size="small" title={t('journeys.stepStats')}>
          <Table
            size="small"
            rowKey="stepId"
            pagination={false}
            dataSource={stats.steps}
            columns={[
              { title: t('journeys.step'), dataIndex: 'stepId', render: (id, s) => `${id} (${t(`journeys.steps.${s.type}`, { defaultValue: s.type })})` },
              { title: t('journeys.atStep'), dataIndex: 'at', align: 'right', render: (n) => fmt.number(n) },
              { title: t('journeys.entered'), dataIndex: 'entered', align: 'right', render: (n) => fmt.number(n) },
              { title: t('journeys.sent'), dataIndex: 'sent', align: 'right', render: (n) => fmt.number(n) },
              { title: t('journeys.delivered'), dataIndex: 'delivered', align: 'right', render: (n) => fmt.number(n) },
              { title: t('journeys.failed'), dataIndex: 'failed', align: 'right', render: (n) => fmt.number(n) },
              { title: t('journeys.suppressed'), dataIndex: 'suppressed', align: 'right', render: (n) => fmt.number(n) },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} xl={10}>
        <Card size="small" title={t('journeys.lift')}>
          <Row gutter={16}>
            <Col span={12}>
              <Statistic title={t('journeys.treatment')} value={pct(stats.treatment.conversionRate)} />
            </Col>
            <Col span={12}>
              <Statistic title={t('journeys.holdout')} value={pct(stats.holdout.conversionRate)} />
            </Col>
          </Row>
          <Descriptions size="small" column={1} style={{ marginTop: 12 }}>
            <Descriptions.Item label={t('journeys.liftRate')}>{stats.lift.conversion ? pct(stats.lift.conversion.difference) : '–'}</Descriptions.Item>
            <Descriptions.Item label={t('journeys.ci95')}>{stats.lift.conversion?.ci95 ? `${pct(stats.lift.conversion.ci95[0])} … ${pct(stats.lift.conversion.ci95[1])}` : '–'}</Descriptions.Item>
            <Descriptions.Item label={t('journeys.revenueLift')}>
              {stats.lift.revenuePerPerson === null
                ? '–'
                : `${fmt.number(stats.lift.revenuePerPerson.difference)}${stats.lift.revenuePerPerson.ci95 ? ` (${fmt.number(stats.lift.revenuePerPerson.ci95[0])} … ${fmt.number(stats.lift.revenuePerPerson.ci95[1])})` : ''}`}
            </Descriptions.Item>
            <Descriptions.Item label={t('journeys.entered')}>{fmt.number(stats.entered)}</Descriptions.Item>
            <Descriptions.Item label={t('journeys.converted')}>{fmt.number(stats.converted)}</Descriptions.Item>
          </Descriptions>
        </Card>
      </Col>
    </Row>
  );
}
