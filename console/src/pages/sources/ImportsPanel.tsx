// Historical imports into a source: upload a CSV / JSON Lines file with its mapping, and follow each
// import's progress (rows, imported, duplicates, failures) and its per-row errors.
import { useState } from 'react';
import { Alert, Button, Card, Col, Form, Row, Select, Space, Switch, Table, Tag, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { ImportJob, ImportRowError, Page } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { EmptyState, ErrorAlert } from '../../components/feedback';
import { CodeInput, parseJson } from '../../components/JsonEditor';
import { Pager, usePaged } from '../../components/paging';
import { useNotify } from '../../components/useNotify';
import { JobProgress } from '../../components/JobProgress';
import { useFormat } from '../../i18n/format';

const EXAMPLE_MAPPING = JSON.stringify(
  { event: 'Order Completed', fields: { customer_id: 'userId', email: 'email', ordered_on: { to: 'timestamp' }, total: { to: 'properties.total', type: 'number' } } },
  null,
  2,
);
const RUNNING = new Set(['pending', 'running']);

export function ImportsPanel({ sourceId }: { sourceId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [mapping, setMapping] = useState(EXAMPLE_MAPPING);
  const [kind, setKind] = useState<ImportJob['kind']>('events');
  const [format, setFormat] = useState<ImportJob['format']>('csv');
  const [dryRun, setDryRun] = useState(false);
  const [errorsOf, setErrorsOf] = useState<string | null>(null);
  // Long jobs show their progress: the list is read again every 1.5 s while one runs.
  const jobs = usePaged(['imports', sourceId], (cursor) => api.get<Page<ImportJob>>('/v1/imports', { sourceId, cursor, limit: 20 }), {
    refetchInterval: (page) => (page?.data.some((j) => RUNNING.has(j.status)) ? 1500 : false),
  });
  const parsed = parseJson(mapping);
  const upload = useMutation({
    mutationFn: (file: File) =>
      api.upload<ImportJob>('/v1/imports', file, format === 'csv' ? 'text/csv' : 'application/x-ndjson', { sourceId, kind, format, dryRun, fileName: file.name, mapping: JSON.stringify(parsed.ok ? parsed.value : {}) }),
    onSuccess: () => (notify.ok(t('imports.started')), void queryClient.invalidateQueries({ queryKey: ['imports', sourceId] })),
    onError: notify.error,
  });
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={15}>
        <ErrorAlert error={jobs.error} />
        <Table<ImportJob>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={jobs.rows}
          locale={{ emptyText: <EmptyState text={t('imports.empty')} /> }}
          columns={[
            { title: t('imports.file'), dataIndex: 'fileName', ellipsis: true },
            {
              title: t('imports.status'),
              dataIndex: 'status',
              render: (s, j) => (
                <Space direction="vertical" size={0}>
                  <Tag color={s === 'completed' ? 'green' : s === 'failed' ? 'red' : RUNNING.has(s) ? 'blue' : 'orange'}>{t(`imports.statuses.${s}`)}</Tag>
                  {RUNNING.has(s) && <JobProgress state={s === 'pending' ? 'pending' : 'running'} done={j.rowsDone} unit="jobs.units.rows" startedAt={j.createdAt} width={160} />}
                  {j.dryRun && <Tag>{t('imports.dryRun')}</Tag>}
                </Space>
              ),
            },
            { title: t('imports.rows'), dataIndex: 'rowsDone', align: 'right', render: (n) => fmt.number(n) },
            { title: t('imports.imported'), dataIndex: 'imported', align: 'right', render: (n) => fmt.number(n) },
            { title: t('imports.duplicates'), dataIndex: 'duplicates', align: 'right', render: (n) => fmt.number(n) },
            {
              title: t('imports.failedRows'),
              dataIndex: 'failedRows',
              align: 'right',
              render: (n, j) => (n > 0 ? <Button size="small" type="link" danger onClick={() => setErrorsOf(j.id)}>{fmt.number(n)}</Button> : 0),
            },
            { title: t('common.updated'), dataIndex: 'updatedAt', render: (at) => fmt.dateTime(at) },
          ]}
          expandable={{ rowExpandable: (j) => !!j.error, expandedRowRender: (j) => <Alert type="error" message={j.error} /> }}
        />
        <Pager paged={jobs} />
        {errorsOf && <RowErrors importId={errorsOf} />}
      </Col>
      {can(me, 'trackingPlans') && (
        <Col xs={24} xl={9}>
          <Card size="small" title={t('imports.new')}>
            <Form layout="vertical">
              <Space wrap>
                <Form.Item label={t('imports.kind')}>
                  <Select value={kind} onChange={setKind} style={{ width: 140 }} options={(['events', 'profiles'] as const).map((k) => ({ value: k, label: t(`imports.kinds.${k}`) }))} />
                </Form.Item>
                <Form.Item label={t('imports.format')}>
                  <Select value={format} onChange={setFormat} style={{ width: 140 }} options={(['csv', 'jsonl', 'whitespace'] as const).map((f) => ({ value: f, label: f }))} />
                </Form.Item>
                <Form.Item label={t('imports.dryRun')}>
                  <Switch checked={dryRun} onChange={setDryRun} />
                </Form.Item>
              </Space>
              <Form.Item label={t('imports.mapping')} extra={t('imports.mappingHelp')}>
                <CodeInput label={t('imports.mapping')} value={mapping} onChange={setMapping} rows={10} invalid={!parsed.ok} />
              </Form.Item>
              <Upload accept=".csv,.jsonl,.ndjson,.txt" maxCount={1} showUploadList={false} disabled={!parsed.ok} beforeUpload={(file) => (upload.mutate(file), false)}>
                <Button type="primary" icon={<UploadOutlined />} loading={upload.isPending} disabled={!parsed.ok}>
                  {t('imports.chooseFile')}
                </Button>
              </Upload>
            </Form>
          </Card>
        </Col>
      )}
    </Row>
  );
}

function RowErrors({ importId }: { importId: string }) {
  const { t } = useTranslation();
  const paged = usePaged(['import-errors', importId], (cursor) => api.get<Page<ImportRowError>>(`/v1/imports/${importId}/errors`, { cursor, limit: 50 }));
  return (
    <Card size="small" title={t('imports.rowErrors')} style={{ marginTop: 16 }}>
      <ErrorAlert error={paged.error} />
      <Table<ImportRowError>
        size="small"
        rowKey={(e) => `${e.row}:${e.column}`}
        pagination={false}
        dataSource={paged.rows}
        columns={[
          { title: t('imports.row'), dataIndex: 'row' },
          { title: t('imports.column'), dataIndex: 'column' },
          { title: t('failed.code'), dataIndex: 'code', render: (c) => <Tag color="red">{c}</Tag> },
          { title: t('failed.reason'), dataIndex: 'message' },
        ]}
      />
      <Pager paged={paged} />
    </Card>
  );
}
