// Predictions: the model cards of the last refit (parameters, data window), the purchase-intent
// classifier's metrics against its baselines on the same customers, the recommendations' hit rate
// against popularity, the refit jobs and a button to refit now.
import { Button, Card, Col, Descriptions, Row, Skeleton, Table, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { ModelCard, Page, PredictionJob } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { EmptyState, ErrorAlert, PageHeader } from '../../components/feedback';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';
import { JobProgress } from '../../components/JobProgress';

type Metrics = NonNullable<ModelCard['evaluation']>['model'];
const STATUS_COLOR: Record<PredictionJob['status'], string> = { pending: 'default', running: 'processing', completed: 'success', failed: 'error', interrupted: 'warning' };

export default function Predictions() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const models = useQuery({ queryKey: ['prediction-models'], queryFn: () => api.get<Page<ModelCard>>('/v1/predictions/models') });
  const jobs = useQuery({
    queryKey: ['prediction-jobs'],
    queryFn: () => api.get<Page<PredictionJob>>('/v1/predictions/jobs', { limit: 10 }),
    // While a refit is queued or running, follow it; then refresh the cards.
    refetchInterval: (q) => (q.state.data?.data.some((j) => j.status === 'pending' || j.status === 'running') ? 2000 : false),
  });
  const active = jobs.data?.data.some((j) => j.status === 'pending' || j.status === 'running');
  const refit = useMutation({
    mutationFn: () => api.post<PredictionJob>('/v1/predictions/refit', {}),
    onSuccess: () => {
      notify.ok(t('predictions.refitQueued'));
      void queryClient.invalidateQueries({ queryKey: ['prediction-jobs'] });
    },
    onError: notify.error,
  });
  const lastCompleted = jobs.data?.data.find((j) => j.status === 'completed')?.id;
  const cardsJob = models.data?.data[0]?.jobId;
  if (lastCompleted && cardsJob && lastCompleted !== cardsJob) void queryClient.invalidateQueries({ queryKey: ['prediction-models'] });

  const metricRows = (m: ModelCard) =>
    m.evaluation
      ? ([
          ['model', m.evaluation.model],
          ['majority', m.evaluation.baselines.majority],
          ['pAlive', m.evaluation.baselines.pAlive],
        ] as [string, Metrics][]).map(([key, v]) => ({ key, ...v }))
      : [];

  return (
    <>
      <PageHeader
        title={t('predictions.title')}
        sub={t('predictions.subtitle')}
        extra={
          can(me, 'predictions') && (
            <Button type="primary" icon={<ReloadOutlined />} loading={refit.isPending || active} onClick={() => refit.mutate()}>
              {t('predictions.refit')}
            </Button>
          )
        }
      />
      <ErrorAlert error={models.error ?? jobs.error} />
      {models.isLoading ? (
        <Skeleton active />
      ) : models.data?.data.length === 0 ? (
        <EmptyState text={t('predictions.noModels')} />
      ) : (
        <Row gutter={[16, 16]}>
          {models.data?.data.map((m) => (
            <Col xs={24} xl={12} key={m.name}>
              <Card
                title={t(`predictions.model.${m.name}`)}
                extra={<Tag color={m.status === 'fitted' ? 'green' : 'orange'}>{t(`predictions.status.${m.status}`)}</Tag>}
              >
                <Typography.Paragraph type="secondary">{m.description}</Typography.Paragraph>
                {m.note && <Typography.Paragraph type="warning">{m.note}</Typography.Paragraph>}
                <Descriptions size="small" column={1} bordered>
                  <Descriptions.Item label={t('predictions.window')}>
                    {m.dataWindow.from ? fmt.date(m.dataWindow.from) : '—'} – {fmt.date(m.dataWindow.to)}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('predictions.population')}>{fmt.number(m.population)}</Descriptions.Item>
                  <Descriptions.Item label={t('predictions.fittedAt')}>{fmt.dateTime(m.fittedAt)}</Descriptions.Item>
                  {m.logLikelihood !== undefined && <Descriptions.Item label={t('predictions.logLikelihood')}>{fmt.number(m.logLikelihood, 1)}</Descriptions.Item>}
                  {m.name !== 'purchase_intent' &&
                    Object.entries(m.parameters).map(([k, v]) => (
                      <Descriptions.Item key={k} label={k}>
                        {fmt.number(v, 4)}
                      </Descriptions.Item>
                    ))}
                  {m.hitRate && (
                    <Descriptions.Item label={t('predictions.hitRate', { k: m.hitRate.k })}>
                      {fmt.percent(m.hitRate.model)} · {t('predictions.popularity')} {fmt.percent(m.hitRate.popularity)} ({t('predictions.profiles', { count: m.hitRate.profiles })})
                    </Descriptions.Item>
                  )}
                </Descriptions>
                {m.evaluation && (
                  <>
                    <Typography.Paragraph style={{ marginTop: 12 }}>{t('predictions.split', { cutoff: m.evaluation.cutoff, until: m.evaluation.labelUntil })}</Typography.Paragraph>
                    <Table
                      size="small"
                      pagination={false}
                      rowKey="key"
                      dataSource={metricRows(m)}
                      columns={[
                        { title: t('predictions.predictor'), dataIndex: 'key', render: (k: string) => t(`predictions.baseline.${k}`) },
                        { title: t('predictions.accuracy'), dataIndex: 'accuracy', render: (v: number) => fmt.percent(v) },
                        { title: 'AUC', dataIndex: 'auc', render: (v: number) => fmt.number(v, 3) },
                        { title: t('predictions.precision'), dataIndex: 'precision', render: (v: number) => fmt.percent(v) },
                        { title: t('predictions.recall'), dataIndex: 'recall', render: (v: number) => fmt.percent(v) },
                      ]}
                    />
                    <Table
                      style={{ marginTop: 12 }}
                      size="small"
                      pagination={false}
                      rowKey="from"
                      title={() => t('predictions.calibration')}
                      dataSource={m.evaluation.model.calibration}
                      columns={[
                        { title: t('predictions.bin'), dataIndex: 'from', render: (_: number, b) => `${fmt.percent(b.from)}–${fmt.percent(b.to)}` },
                        { title: t('predictions.customers'), dataIndex: 'n', render: (v: number) => fmt.number(v) },
                        { title: t('predictions.predicted'), dataIndex: 'predicted', render: (v: number) => fmt.percent(v) },
                        { title: t('predictions.observed'), dataIndex: 'observed', render: (v: number) => fmt.percent(v) },
                      ]}
                    />
                  </>
                )}
              </Card>
            </Col>
          ))}
        </Row>
      )}
      <Card title={t('predictions.jobs')} style={{ marginTop: 16 }}>
        <Table
          size="small"
          rowKey="id"
          loading={jobs.isLoading}
          pagination={false}
          dataSource={jobs.data?.data ?? []}
          columns={[
            { title: t('predictions.createdAt'), dataIndex: 'createdAt', render: (v: string) => fmt.dateTime(v) },
            { title: t('predictions.trigger'), dataIndex: 'trigger', render: (v: PredictionJob['trigger']) => t(`predictions.triggers.${v}`) },
            {
              title: t('predictions.jobStatus'),
              dataIndex: 'status',
              render: (v: PredictionJob['status'], j) =>
                v === 'pending' || v === 'running' ? (
                  // A refit reads every purchase and scores every profile: no count to show until it ends.
                  <JobProgress state={v} startedAt={j.startedAt ?? j.createdAt} width={200} />
                ) : (
                  <Tag color={STATUS_COLOR[v]}>{t(`predictions.jobStatuses.${v}`)}</Tag>
                ),
            },
            { title: t('predictions.asOf'), render: (_: unknown, j: PredictionJob) => j.settings.asOf },
            { title: t('predictions.result'), render: (_: unknown, j: PredictionJob) => j.error ?? (j.result ? t('predictions.scored', { count: j.result.profilesScored }) : '—') },
          ]}
        />
      </Card>
    </>
  );
}
