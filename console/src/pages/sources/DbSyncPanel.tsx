// Database sync: read new and changed rows of a PostgreSQL or MySQL/MariaDB table (or query) into the
// source on an interval, as identify or track calls; see where the cursor stands and run it now.
import { useState } from 'react';
import { Alert, Button, Descriptions, Form, Input, InputNumber, Radio, Space, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { orNull } from '../../api/optional';
import type { DbSyncRun, DbSyncSetup, DbSyncSource } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { Confirm, ErrorAlert } from '../../components/feedback';
import { CodeInput, parseJson } from '../../components/JsonEditor';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';

interface DbSyncForm {
  connectionUrl?: string;
  readFrom: 'table' | 'query';
  table?: string;
  query?: string;
  cursorColumn: string;
  idColumn?: string;
  intervalSeconds?: number;
  batchSize?: number;
  kind: 'identify' | 'track';
  userIdColumn?: string;
  anonymousIdColumn?: string;
  event?: string;
  eventColumn?: string;
  timestampColumn?: string;
}

const blankToUndefined = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);

function toForm(s: DbSyncSource | null): DbSyncForm {
  if (!s) return { readFrom: 'table', cursorColumn: 'updated_at', idColumn: 'id', kind: 'identify', userIdColumn: 'id' };
  return {
    readFrom: s.query !== undefined ? 'query' : 'table',
    table: s.table,
    query: s.query,
    cursorColumn: s.cursor.column,
    idColumn: s.cursor.idColumn,
    intervalSeconds: s.intervalSeconds,
    batchSize: s.batchSize,
    kind: s.mapping.kind,
    userIdColumn: s.mapping.userIdColumn,
    anonymousIdColumn: s.mapping.anonymousIdColumn,
    event: s.mapping.event,
    eventColumn: s.mapping.eventColumn,
    timestampColumn: s.mapping.timestampColumn,
  };
}

export function DbSyncPanel({ sourceId }: { sourceId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const key = ['db-sync', sourceId];
  // The worker runs on its own interval (first right after saving): read the cursor and last run again.
  const setup = useQuery({ queryKey: key, queryFn: () => orNull(api.get<DbSyncSource>(`/v1/sources/${sourceId}/db-sync`)), refetchInterval: 5000 });
  const s = setup.data;
  const [columns, setColumns] = useState(() => JSON.stringify(s?.mapping.columns ?? {}, null, 2));
  const parsedColumns = parseJson(columns);
  const [lastRun, setLastRun] = useState<DbSyncRun | null>(null);
  const save = useMutation({
    mutationFn: (v: DbSyncForm) => {
      const mappedColumns = parsedColumns.ok && parsedColumns.value && Object.keys(parsedColumns.value as object).length > 0 ? (parsedColumns.value as Record<string, string>) : undefined;
      const body: DbSyncSetup = {
        connectionUrl: blankToUndefined(v.connectionUrl),
        ...(v.readFrom === 'table' ? { table: blankToUndefined(v.table) } : { query: blankToUndefined(v.query) }),
        cursor: { column: v.cursorColumn.trim(), idColumn: blankToUndefined(v.idColumn) },
        intervalSeconds: v.intervalSeconds ?? undefined,
        batchSize: v.batchSize ?? undefined,
        mapping: {
          kind: v.kind,
          userIdColumn: blankToUndefined(v.userIdColumn),
          anonymousIdColumn: blankToUndefined(v.anonymousIdColumn),
          event: v.kind === 'track' ? blankToUndefined(v.event) : undefined,
          eventColumn: v.kind === 'track' ? blankToUndefined(v.eventColumn) : undefined,
          timestampColumn: blankToUndefined(v.timestampColumn),
          columns: mappedColumns,
        },
      };
      return api.put<DbSyncSource>(`/v1/sources/${sourceId}/db-sync`, body);
    },
    onSuccess: (saved) => (queryClient.setQueryData(key, saved), notify.ok(t('common.saved'))),
    onError: notify.error,
  });
  const run = useMutation({
    mutationFn: () => api.post<DbSyncRun>(`/v1/sources/${sourceId}/db-sync/run`),
    onSuccess: (r) => (setLastRun(r), void queryClient.invalidateQueries({ queryKey: key })),
    onError: notify.error,
  });
  const remove = useMutation({ mutationFn: () => api.delete(`/v1/sources/${sourceId}/db-sync`), onSuccess: () => queryClient.setQueryData(key, null), onError: notify.error });
  const admin = can(me, 'sources');
  const [form] = Form.useForm<DbSyncForm>();
  const readFrom = Form.useWatch('readFrom', form);
  const kind = Form.useWatch('kind', form);
  return (
    <Space direction="vertical" style={{ width: '100%', maxWidth: 820 }}>
      <ErrorAlert error={setup.error} />
      {s ? (
        <Descriptions bordered size="small" column={1}>
          <Descriptions.Item label={t('dbSync.driver')}>{s.driver}</Descriptions.Item>
          <Descriptions.Item label={t('dbSync.cursorAt')}>
            {s.cursorState ? <Typography.Text code>{JSON.stringify(s.cursorState)}</Typography.Text> : t('dbSync.fromStart')}
          </Descriptions.Item>
          <Descriptions.Item label={t('dbSync.lastRun')}>{fmt.dateTime(s.lastRunAt)}</Descriptions.Item>
          {s.lastError && (
            <Descriptions.Item label={t('dbSync.lastError')}>
              <Alert type="error" showIcon message={s.lastError} />
            </Descriptions.Item>
          )}
        </Descriptions>
      ) : (
        setup.data === null && <Alert type="info" showIcon message={t('dbSync.none')} />
      )}
      {lastRun && (
        <Alert
          type={lastRun.failed > 0 ? 'warning' : 'success'}
          showIcon
          closable
          onClose={() => setLastRun(null)}
          message={t('dbSync.runResult', { rows: fmt.number(lastRun.rows), accepted: fmt.number(lastRun.accepted), duplicates: fmt.number(lastRun.duplicates), failed: fmt.number(lastRun.failed) })}
        />
      )}
      {admin && setup.data !== undefined && (
        <Form<DbSyncForm> form={form} layout="vertical" onFinish={(v) => save.mutate(v)} initialValues={toForm(s ?? null)} key={s?.updatedAt ?? 'new'}>
          <Form.Item
            name="connectionUrl"
            label={t('dbSync.connectionUrl')}
            extra={s ? t('dbSync.connectionUrlKept') : t('dbSync.connectionUrlHelp')}
            rules={[{ required: !s, message: t('dbSync.connectionUrlRequired') }, { pattern: /^(postgres(ql)?|mysql|mariadb):\/\/.+/, message: t('dbSync.connectionUrlInvalid') }]}
          >
            <Input.Password autoComplete="off" placeholder="postgres://reader@db.example:5432/crm" />
          </Form.Item>
          <Form.Item name="readFrom" label={t('dbSync.readFrom')}>
            <Radio.Group options={[{ value: 'table', label: t('dbSync.table') }, { value: 'query', label: t('dbSync.query') }]} />
          </Form.Item>
          {readFrom === 'query' ? (
            <Form.Item name="query" label={t('dbSync.query')} extra={t('dbSync.queryHelp')} rules={[{ required: true, message: t('dbSync.queryRequired') }]}>
              <Input.TextArea rows={4} spellCheck={false} style={{ fontFamily: 'ui-monospace, monospace' }} />
            </Form.Item>
          ) : (
            <Form.Item name="table" label={t('dbSync.table')} rules={[{ required: true, message: t('dbSync.tableRequired') }]}>
              <Input placeholder="public.customers" />
            </Form.Item>
          )}
          <Space wrap>
            <Form.Item name="cursorColumn" label={t('dbSync.cursorColumn')} extra={t('dbSync.cursorColumnHelp')} rules={[{ required: true, message: t('dbSync.cursorColumnRequired') }]}>
              <Input placeholder="updated_at" />
            </Form.Item>
            <Form.Item name="idColumn" label={t('dbSync.idColumn')} extra={t('dbSync.idColumnHelp')}>
              <Input placeholder="id" />
            </Form.Item>
            <Form.Item name="intervalSeconds" label={t('dbSync.interval')}>
              <InputNumber min={5} max={86400} placeholder="60" />
            </Form.Item>
            <Form.Item name="batchSize" label={t('dbSync.batchSize')}>
              <InputNumber min={1} max={10000} placeholder="1000" />
            </Form.Item>
          </Space>
          <Form.Item name="kind" label={t('dbSync.kind')}>
            <Radio.Group options={[{ value: 'identify', label: t('dbSync.identify') }, { value: 'track', label: t('dbSync.track') }]} />
          </Form.Item>
          <Space wrap>
            <Form.Item name="userIdColumn" label={t('dbSync.userIdColumn')}>
              <Input placeholder="customer_id" />
            </Form.Item>
            <Form.Item name="anonymousIdColumn" label={t('dbSync.anonymousIdColumn')}>
              <Input />
            </Form.Item>
            {kind === 'track' && (
              <>
                <Form.Item name="event" label={t('dbSync.event')}>
                  <Input placeholder="Order Completed" />
                </Form.Item>
                <Form.Item name="eventColumn" label={t('dbSync.eventColumn')}>
                  <Input />
                </Form.Item>
              </>
            )}
            <Form.Item name="timestampColumn" label={t('dbSync.timestampColumn')}>
              <Input placeholder="updated_at" />
            </Form.Item>
          </Space>
          <Form.Item label={t('dbSync.columns')} extra={t('dbSync.columnsHelp')}>
            <CodeInput label={t('dbSync.columns')} value={columns} onChange={setColumns} rows={5} invalid={!parsedColumns.ok} />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={save.isPending} disabled={!parsedColumns.ok}>
              {t('common.save')}
            </Button>
            {s && (
              <Button onClick={() => run.mutate()} loading={run.isPending}>
                {t('dbSync.runNow')}
              </Button>
            )}
            {s && (
              <Confirm title={t('dbSync.removeConfirm')} onConfirm={() => remove.mutate()}>
                <Button danger>{t('dbSync.remove')}</Button>
              </Confirm>
            )}
          </Space>
        </Form>
      )}
    </Space>
  );
}
