// Placements: the named slots sites and apps ask /v1/decide about, with their ordered rules (edited as
// JSON in the API's shape), and a try-out of a decision for a visitor.
import { useState } from 'react';
import { Button, Card, Col, Modal, Row, Space, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../../api/client';
import type { NewPlacement, Page, Placement } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { CodeInput, parseJson } from '../../components/JsonEditor';
import { Confirm, PageHeader } from '../../components/feedback';
import { ListTable } from '../../components/ListTable';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';

const EXAMPLE: NewPlacement = {
  name: 'home_hero',
  rules: [
    { name: 'shoes', conditions: [{ type: 'event', event: 'Product Viewed', withinDays: 30 }], content: { banner: 'shoes' } },
    { name: 'ab', conditions: [], variants: [{ name: 'a', weight: 50, content: { banner: 'a' } }, { name: 'b', weight: 50, content: { banner: 'b' } }] },
  ],
  default: { banner: 'welcome' },
};

export default function PlacementsPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const { me } = useAuth();
  const writer = can(me, 'placements');
  const { data, error, isLoading } = useQuery({ queryKey: ['placements'], queryFn: () => api.get<Page<Placement>>('/v1/placements') });
  const [editing, setEditing] = useState<{ id?: string; text: string } | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['placements'] });
  const save = useMutation({
    mutationFn: ({ id, body }: { id?: string; body: unknown }) => (id ? api.patch<Placement>(`/v1/placements/${seg(id)}`, body) : api.post<Placement>('/v1/placements', body)),
    onSuccess: () => (setEditing(null), notify.ok(t('common.saved')), refresh()),
    onError: notify.error,
  });
  const remove = useMutation({ mutationFn: (id: string) => api.delete(`/v1/placements/${seg(id)}`), onSuccess: refresh, onError: notify.error });
  const parsed = editing ? parseJson(editing.text) : null;
  const edit = (p: Placement) => {
    const { name, description, rules, default: content, recordExposures } = p;
    setEditing({ id: p.id, text: JSON.stringify({ name, ...(description ? { description } : {}), rules, default: content, recordExposures }, null, 2) });
  };
  return (
    <>
      <PageHeader
        title={t('placements.title')}
        sub={t('placements.subtitle')}
        extra={
          writer && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ text: JSON.stringify(EXAMPLE, null, 2) })}>
              {t('placements.create')}
            </Button>
          )
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <ListTable<Placement>
            rowKey="id"
            size="middle"
            loading={isLoading}
            error={error}
            rows={data?.data}
            search={(p) => [p.name, p.description, ...p.rules.map((r) => r.name)]}
            searchPlaceholder={t('placements.filter')}
            empty={{ text: t('placements.empty') }}
            columns={[
              { title: t('placements.name'), dataIndex: 'name', render: (n) => <Typography.Text code>{n}</Typography.Text> },
              { title: t('placements.rules'), dataIndex: 'rules', render: (rules: Placement['rules']) => rules.map((r) => <Tag key={r.name} color={r.variants ? 'purple' : undefined}>{r.name}</Tag>) },
              { title: t('common.updated'), dataIndex: 'updatedAt', render: (at) => fmt.dateTime(at) },
              {
                title: '',
                render: (_, p) =>
                  writer && (
                    <Space>
                      <Button size="small" onClick={() => edit(p)}>
                        {t('placements.edit')}
                      </Button>
                      <Confirm title={t('placements.deleteConfirm', { name: p.name })} onConfirm={() => remove.mutate(p.id)}>
                        <Button size="small" danger>
                          {t('placements.delete')}
                        </Button>
                      </Confirm>
                    </Space>
                  ),
              },
            ]}
          />
        </Col>
        <Col xs={24} xl={9}>
          <Card size="small" title={t('placements.howTitle')}>
            <Typography.Paragraph type="secondary">{t('placements.how')}</Typography.Paragraph>
            <pre style={{ fontSize: 12, whiteSpace: 'pre-wrap' }}>{`POST /v1/decide  (Basic <write key>:)\n{"placement": "home_hero", "anonymousId": "…", "context": {"device": {"type": "ios"}}}`}</pre>
          </Card>
        </Col>
      </Row>
      {editing && (
        <Modal
          open
          width={720}
          title={editing.id ? t('placements.edit') : t('placements.create')}
          onCancel={() => setEditing(null)}
          okButtonProps={{ disabled: !parsed?.ok }}
          confirmLoading={save.isPending}
          onOk={() => parsed?.ok && save.mutate({ id: editing.id, body: parsed.value })}
        >
          <Typography.Paragraph type="secondary">{t('placements.editHelp')}</Typography.Paragraph>
          <CodeInput label={t('placements.definition')} value={editing.text} onChange={(text) => setEditing({ ...editing, text })} rows={20} invalid={!parsed?.ok} />
        </Modal>
      )}
    </>
  );
}
