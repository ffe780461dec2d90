// Segments: the list, built-in templates, tags (with CSV upload) and the RFM settings.
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { Button, Card, Col, Form, Input, List, Row, Select, Space, Tabs, Tag, Typography, Upload } from 'antd';
import { PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, seg } from '../../api/client';
import type { Page, Rfm, Segment, SegmentTemplate, Tag as TagSummary, TagImport } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { ErrorAlert, PageHeader } from '../../components/feedback';
import { ListTable } from '../../components/ListTable';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';

export default function SegmentsList() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const { me } = useAuth();
  const writer = can(me, 'segments');
  return (
    <>
      <PageHeader
        title={t('segments.title')}
        sub={t('segments.subtitle')}
        extra={
          writer && (
            <Link to="/segments/new">
              <Button type="primary" icon={<PlusOutlined />}>
                {t('segments.create')}
              </Button>
            </Link>
          )
        }
      />
      <Tabs
        activeKey={params.get('tab') ?? 'segments'}
        onChange={(tab) => setParams({ tab }, { replace: true })}
        destroyOnHidden
        items={[
          { key: 'segments', label: t('segments.tabs.segments'), children: <SegmentTable writer={writer} /> },
          { key: 'templates', label: t('segments.tabs.templates'), children: <Templates writer={writer} /> },
          { key: 'tags', label: t('segments.tabs.tags'), children: <Tags writer={writer} /> },
          { key: 'rfm', label: t('segments.tabs.rfm'), children: <RfmSettingsPanel writer={writer} /> },
        ]}
      />
    </>
  );
}

function SegmentTable({ writer }: { writer: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { data, error, isLoading } = useQuery({ queryKey: ['segments'], queryFn: () => api.get<Page<Segment>>('/v1/segments') });
  return (
    <>
      <ListTable<Segment>
        rowKey="id"
        size="middle"
        loading={isLoading}
        error={error}
        rows={data?.data}
        search={(s) => [s.name, s.tag, s.description]}
        searchPlaceholder={t('segments.filter')}
        empty={{
          text: t('segments.empty'),
          action: writer && (
            <Link to="/segments/new">
              <Button>{t('segments.create')}</Button>
            </Link>
          ),
        }}
        columns={[
          { title: t('segments.name'), dataIndex: 'name', render: (name, s) => <Link to={`/segments/${s.id}`}>{name}</Link> },
          { title: t('segments.members'), dataIndex: 'memberCount', align: 'right', render: (n) => fmt.number(n), sorter: (a, b) => a.memberCount - b.memberCount },
          { title: t('segments.tag'), dataIndex: 'tag', render: (tag) => tag && <Tag>{tag}</Tag> },
          { title: t('common.updated'), dataIndex: 'updatedAt', render: (at) => fmt.dateTime(at) },
        ]}
      />
    </>
  );
}

function Templates({ writer }: { writer: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data, error, isLoading } = useQuery({ queryKey: ['segment-templates'], queryFn: () => api.get<Page<SegmentTemplate>>('/v1/segment-templates') });
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
              title={t(`templates.${tpl.name}.title`, { defaultValue: tpl.title })}
              actions={
                writer
                  ? [
                      <Button key="use" type="link" onClick={() => navigate(`/segments/new?template=${encodeURIComponent(tpl.name)}`)}>
                        {t('segments.useTemplate')}
                      </Button>,
                    ]
                  : undefined
              }
            >
              <Typography.Paragraph type="secondary" style={{ minHeight: 44, margin: 0 }}>
                {t(`templates.${tpl.name}.description`, { defaultValue: tpl.description })}
              </Typography.Paragraph>
            </Card>
          </List.Item>
        )}
      />
    </>
  );
}

function Tags({ writer }: { writer: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const { data, error, isLoading } = useQuery({ queryKey: ['tags'], queryFn: () => api.get<Page<TagSummary>>('/v1/tags') });
  const [tag, setTag] = useState('');
  const [result, setResult] = useState<TagImport | null>(null);
  const upload = useMutation({
    mutationFn: (file: File) => api.upload<TagImport>(`/v1/tags/${seg(tag)}/import`, file, 'text/csv'),
    onSuccess: (r) => (setResult(r), void queryClient.invalidateQueries({ queryKey: ['tags'] })),
    onError: notify.error,
  });
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={14}>
        <ListTable<TagSummary>
          rowKey="tag"
          size="middle"
          loading={isLoading}
          error={error}
          rows={data?.data}
          search={(tg) => [tg.tag]}
          searchPlaceholder={t('tags.filter')}
          empty={{ text: t('tags.empty') }}
          columns={[
            { title: t('segments.tag'), dataIndex: 'tag', render: (tg) => <Tag>{tg}</Tag> },
            { title: t('tags.manualProfiles'), dataIndex: 'manualProfiles', align: 'right', render: (n) => fmt.number(n) },
            { title: t('tags.segments'), dataIndex: 'segmentIds', render: (ids: string[]) => ids.map((id) => <Link key={id} to={`/segments/${id}`}>{id} </Link>) },
          ]}
        />
      </Col>
      {writer && (
        <Col xs={24} xl={10}>
          <Card size="small" title={t('tags.upload')}>
            <Typography.Paragraph type="secondary">{t('tags.uploadHelp')}</Typography.Paragraph>
            <Space direction="vertical" style={{ width: '100%' }}>
              <Input placeholder={t('tags.tagName')} aria-label={t('tags.tagName')} value={tag} onChange={(e) => setTag(e.target.value.trim())} />
              <Upload
                accept=".csv,text/csv"
                maxCount={1}
                showUploadList={false}
                disabled={!tag}
                beforeUpload={(file) => {
                  upload.mutate(file);
                  return false;
                }}
              >
                <Button icon={<UploadOutlined />} disabled={!tag} loading={upload.isPending}>
                  {t('tags.chooseCsv')}
                </Button>
              </Upload>
              {result && (
                <Typography.Text>
                  {t('tags.result', { rows: fmt.number(result.rows), tagged: fmt.number(result.tagged), unresolved: fmt.number(result.unresolved) })}
                  {result.unresolvedSample.length > 0 && <div style={{ fontSize: 12, color: '#888' }}>{result.unresolvedSample.join(', ')}</div>}
                </Typography.Text>
              )}
            </Space>
          </Card>
        </Col>
      )}
    </Row>
  );
}

function RfmSettingsPanel({ writer }: { writer: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['rfm-settings'], queryFn: () => api.get<Rfm>('/v1/rfm/settings') });
  const save = useMutation({
    mutationFn: (v: Rfm) => api.put<Rfm>('/v1/rfm/settings', v),
    onSuccess: () => (notify.ok(t('common.saved')), void queryClient.invalidateQueries({ queryKey: ['rfm-settings'] })),
    onError: notify.error,
  });
  const recompute = useMutation({
    mutationFn: () => api.post<{ profiles: number }>('/v1/rfm/recompute'),
    onSuccess: (r) => (notify.ok(t('rfm.recomputed', { n: fmt.number(r.profiles) })), void queryClient.invalidateQueries({ queryKey: ['overview'] })),
    onError: notify.error,
  });
  return (
    <Card size="small" style={{ maxWidth: 640 }}>
      <Typography.Paragraph type="secondary">{t('rfm.help')}</Typography.Paragraph>
      <ErrorAlert error={settings.error} />
      {settings.data && (
        <Form layout="vertical" initialValues={settings.data} onFinish={(v: Rfm) => save.mutate(v)} disabled={!writer}>
          <Form.Item name="event" label={t('rfm.event')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="valueProperties" label={t('rfm.valueProperties')} extra={t('rfm.valuePropertiesHelp')}>
            <Select mode="tags" open={false} suffixIcon={null} />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
            <Button onClick={() => recompute.mutate()} loading={recompute.isPending}>
              {t('rfm.recompute')}
            </Button>
          </Space>
        </Form>
      )}
    </Card>
  );
}
