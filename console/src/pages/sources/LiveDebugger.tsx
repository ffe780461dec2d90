// Live event debugger: the source's events as they arrive (GET /v1/sources/:id/live), newest on top.
import { useEffect, useState } from 'react';
import { Badge, Button, Col, Empty, List, Row, Space, Tag, Typography } from 'antd';
import { PauseOutlined, CaretRightOutlined, ClearOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { streamEvents } from '../../api/sse';
import type { EventView } from '../../api/types';
import { ErrorAlert } from '../../components/feedback';
import { CodeBlock } from '../../components/CodeBlock';
import { useFormat } from '../../i18n/format';

const KEEP = 200;

export function eventLabel(e: EventView) {
  const m = e.message as { event?: string; name?: string; userId?: string; anonymousId?: string };
  return m.event ?? m.name ?? e.type;
}

export function LiveDebugger({ sourceId }: { sourceId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [events, setEvents] = useState<EventView[]>([]);
  const [paused, setPaused] = useState(false);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<EventView | null>(null);

  useEffect(() => {
    if (paused) return;
    const abort = new AbortController();
    streamEvents<EventView>(`/v1/sources/${sourceId}/live`, (e) => setEvents((list) => [e, ...list].slice(0, KEEP)), abort.signal, setConnected).catch(setError);
    return () => {
      abort.abort();
      setConnected(false);
    };
  }, [sourceId, paused]);

  return (
    <>
      <ErrorAlert error={error} />
      <Space style={{ marginBottom: 12 }}>
        <Badge status={connected ? 'processing' : 'default'} text={t(connected ? 'live.listening' : paused ? 'live.paused' : 'live.connecting')} />
        <Button icon={paused ? <CaretRightOutlined /> : <PauseOutlined />} onClick={() => setPaused(!paused)}>
          {t(paused ? 'live.resume' : 'live.pause')}
        </Button>
        <Button icon={<ClearOutlined />} onClick={() => (setEvents([]), setSelected(null))}>
          {t('live.clear')}
        </Button>
      </Space>
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <List<EventView>
            bordered
            size="small"
            data-testid="live-events"
            style={{ maxHeight: 520, overflow: 'auto' }}
            dataSource={events}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('live.empty')} /> }}
            renderItem={(e) => (
              <List.Item
                tabIndex={0}
                onClick={() => setSelected(e)}
                onKeyDown={(k) => k.key === 'Enter' && setSelected(e)}
                style={{ cursor: 'pointer', background: selected?.seq === e.seq ? '#eef2ff' : undefined }}
              >
                <Space direction="vertical" size={0} style={{ minWidth: 0 }}>
                  <Space>
                    <Tag color="blue">{e.type}</Tag>
                    <Typography.Text strong>{eventLabel(e)}</Typography.Text>
                  </Space>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {fmt.dateTime(e.receivedAt)} · {(e.message.userId as string) ?? (e.message.anonymousId as string)}
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        </Col>
        <Col xs={24} lg={14}>{selected ? <CodeBlock code={JSON.stringify(selected.message, null, 2)} maxHeight={520} /> : <Empty description={t('live.select')} />}</Col>
      </Row>
    </>
  );
}
