// What arrived on a source (GET /v1/events, filtered by user or anonymous id, type) and what could
// not enter the log (GET /v1/failed-events), both paged.
import { useState } from 'react';
import { Button, Drawer, Form, Input, Select, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { EventView, FailedEvent, Page } from '../../api/types';
import { CodeBlock } from '../../components/CodeBlock';
import { ListTable } from '../../components/ListTable';
import { usePaged } from '../../components/paging';
import { useFormat } from '../../i18n/format';
import { eventLabel } from './LiveDebugger';

const TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'];

export function SourceEvents({ sourceId }: { sourceId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [filter, setFilter] = useState<{ userId?: string; anonymousId?: string; type?: string }>({});
  const [open, setOpen] = useState<EventView | null>(null);
  const paged = usePaged(['events', sourceId, filter], (cursor) => api.get<Page<EventView>>('/v1/events', { sourceId, ...filter, cursor, limit: 50 }));
  return (
    <>
      <Form layout="inline" onFinish={(v) => setFilter(v)} style={{ marginBottom: 12, rowGap: 8 }}>
        <Form.Item name="userId">
          <Input allowClear placeholder={t('events.userId')} />
        </Form.Item>
        <Form.Item name="anonymousId">
          <Input allowClear placeholder={t('events.anonymousId')} />
        </Form.Item>
        <Form.Item name="type">
          <Select allowClear placeholder={t('events.type')} style={{ width: 140 }} options={TYPES.map((v) => ({ value: v, label: v }))} />
        </Form.Item>
        <Button htmlType="submit">{t('common.filter')}</Button>
      </Form>
      <ListTable<EventView>
        rowKey="seq"
        loading={paged.isFetching}
        rows={paged.rows}
        error={paged.error}
        cursor={paged}
        onRow={(e) => ({ onClick: () => setOpen(e), onKeyDown: (k) => k.key === 'Enter' && setOpen(e), tabIndex: 0, style: { cursor: 'pointer' } })}
        empty={{ text: t('events.empty') }}
        columns={[
          { title: t('events.receivedAt'), dataIndex: 'receivedAt', render: (at) => fmt.dateTime(at) },
          { title: t('events.type'), dataIndex: 'type', render: (type) => <Tag>{type}</Tag> },
          { title: t('events.event'), render: (_, e) => eventLabel(e) },
          { title: t('events.user'), render: (_, e) => (e.message.userId as string) ?? <Typography.Text type="secondary">{e.message.anonymousId as string}</Typography.Text> },
          { title: 'messageId', dataIndex: 'messageId', ellipsis: true },
        ]}
      />
      <Drawer open={!!open} width={560} title={open && eventLabel(open)} onClose={() => setOpen(null)}>
        {open && <CodeBlock code={JSON.stringify(open.message, null, 2)} maxHeight={2000} />}
      </Drawer>
    </>
  );
}

export function FailedEvents({ sourceId }: { sourceId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const paged = usePaged(['failed-events', sourceId], (cursor) => api.get<Page<FailedEvent>>('/v1/failed-events', { sourceId, cursor, limit: 50 }));
  return (
    <>
      <ListTable<FailedEvent>
        rowKey="id"
        loading={paged.isFetching}
        rows={paged.rows}
        error={paged.error}
        cursor={paged}
        empty={{ text: t('failed.empty') }}
        expandable={{ expandedRowRender: (f) => <CodeBlock code={JSON.stringify(f.payload, null, 2)} /> }}
        columns={[
          { title: t('failed.at'), dataIndex: 'failedAt', render: (at) => fmt.dateTime(at) },
          { title: t('failed.stage'), dataIndex: 'stage', render: (s) => <Tag>{s}</Tag> },
          { title: t('failed.code'), dataIndex: 'code', render: (c) => <Tag color="red">{c}</Tag> },
          { title: t('failed.reason'), dataIndex: 'reason' },
        ]}
      />
    </>
  );
}
