// Create or change a segment: the rule builder (or its JSON), and the audience count before saving.
import { useEffect, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Col, Form, Input, Row, Segmented, Space, Statistic, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Rule, Segment, SegmentPreview, SegmentTemplate, Page } from '../../api/types';
import { ErrorAlert, PageHeader } from '../../components/feedback';
import { CodeInput, parseJson } from '../../components/JsonEditor';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';
import { RuleBuilder } from './RuleBuilder';
import { RuleSummary } from './RuleSummary';
import { emptyRule } from './rules';

export default function SegmentEditor() {
  const { id } = useParams();
  const [params] = useSearchParams();
  const { t } = useTranslation();
  const fmt = useFormat();
  const navigate = useNavigate();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ name: string; description?: string; tag?: string }>();
  const [rule, setRule] = useState<Rule>(emptyRule);
  const [mode, setMode] = useState<'builder' | 'json'>('builder');
  const [jsonText, setJsonText] = useState('');
  const existing = useQuery({ queryKey: ['segments', id], queryFn: () => api.get<Segment>(`/v1/segments/${id}`), enabled: !!id });
  const templateName = params.get('template');
  const templates = useQuery({ queryKey: ['segment-templates'], queryFn: () => api.get<Page<SegmentTemplate>>('/v1/segment-templates'), enabled: !!templateName });

  useEffect(() => {
    if (existing.data) {
      setRule(existing.data.rule as Rule);
      form.setFieldsValue({ name: existing.data.name, description: existing.data.description ?? undefined, tag: existing.data.tag ?? undefined });
    }
  }, [existing.data, form]);
  useEffect(() => {
    const tpl = templates.data?.data.find((x) => x.name === templateName);
    if (tpl) {
      setRule(tpl.rule as Rule);
      // Templates the console knows are named in the user's language; others keep the server's text.
      form.setFieldsValue({ name: t(`templates.${tpl.name}.title`, { defaultValue: tpl.title }), description: t(`templates.${tpl.name}.description`, { defaultValue: tpl.description }) });
    }
  }, [templates.data, templateName, form, t]);

  const preview = useMutation({ mutationFn: (r: Rule) => api.post<SegmentPreview>('/v1/segments/preview', { rule: r, sampleSize: 5 }) });
  const save = useMutation({
    mutationFn: (body: { name: string; description?: string; tag?: string; rule: Rule }) => {
      const payload = { ...body, description: body.description || undefined, tag: body.tag || (id ? null : undefined) };
      return id ? api.patch<Segment>(`/v1/segments/${id}`, payload) : api.post<Segment>('/v1/segments', payload);
    },
    onSuccess: (s) => {
      void queryClient.invalidateQueries({ queryKey: ['segments'] });
      notify.ok(t('common.saved'));
      navigate(`/segments/${s.id}`);
    },
  });

  const switchMode = (m: 'builder' | 'json') => {
    if (m === 'json') setJsonText(JSON.stringify(rule, null, 2));
    else {
      const parsed = parseJson(jsonText);
      if (parsed.ok) setRule(parsed.value as Rule);
    }
    setMode(m);
  };
  const parsedJson = mode === 'json' ? parseJson(jsonText) : null;
  const currentRule = (): Rule | null => (mode === 'builder' ? rule : parsedJson?.ok ? (parsedJson.value as Rule) : null);

  return (
    <>
      <PageHeader title={id ? t('segments.edit') : t('segments.create')} sub={t('segments.editorHelp')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={17}>
          <Card>
            <Form form={form} layout="vertical" onFinish={(v) => currentRule() && save.mutate({ ...v, rule: currentRule()! })}>
              <Row gutter={12}>
                <Col xs={24} md={12}>
                  <Form.Item name="name" label={t('segments.name')} rules={[{ required: true, message: t('segments.nameRequired') }]}>
                    <Input placeholder={t('segments.namePlaceholder')} />
                  </Form.Item>
                </Col>
                <Col xs={24} md={12}>
                  <Form.Item name="tag" label={t('segments.tag')} extra={t('segments.tagHelp')}>
                    <Input placeholder="vip" />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="description" label={t('segments.description')}>
                <Input.TextArea rows={2} />
              </Form.Item>
              <Space style={{ marginBottom: 12, justifyContent: 'space-between', width: '100%' }}>
                <Typography.Text strong>{t('segments.rule')}</Typography.Text>
                <Segmented
                  size="small"
                  value={mode}
                  onChange={(m) => switchMode(m as 'builder' | 'json')}
                  options={[
                    { value: 'builder', label: t('segments.builder') },
                    { value: 'json', label: 'JSON' },
                  ]}
                />
              </Space>
              {mode === 'builder' ? (
                <RuleBuilder value={rule.root} onChange={(root) => setRule({ version: 1, root })} />
              ) : (
                <CodeInput label={t('segments.rule')} value={jsonText} onChange={setJsonText} rows={18} invalid={!parsedJson?.ok} />
              )}
              {currentRule()?.root && <RuleSummary root={currentRule()!.root} />}
              <ErrorAlert error={save.error} />
              <Space style={{ marginTop: 16 }}>
                <Button type="primary" htmlType="submit" loading={save.isPending}>
                  {t('segments.save')}
                </Button>
                <Button onClick={() => navigate(-1)}>{t('common.cancel')}</Button>
              </Space>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={7}>
          <Card title={t('segments.preview')} style={{ position: 'sticky', top: 16 }}>
            <Button block type="primary" ghost onClick={() => currentRule() && preview.mutate(currentRule()!)} loading={preview.isPending} data-testid="preview-button">
              {t('segments.previewCount')}
            </Button>
            <div style={{ marginTop: 16 }}>
              {preview.error ? (
                <ErrorAlert error={preview.error} />
              ) : preview.data ? (
                <>
                  <Statistic title={t('segments.matching')} value={fmt.number(preview.data.count)} valueStyle={{ fontSize: 36 }} />
                  <div data-testid="preview-count" hidden>
                    {preview.data.count}
                  </div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('segments.tookMs', { ms: fmt.number(preview.data.tookMs, 1) })}
                  </Typography.Text>
                  {preview.data.sample.length > 0 && (
                    <ul style={{ paddingLeft: 18, marginTop: 8 }}>
                      {preview.data.sample.map((s) => (
                        <li key={s.profileId} style={{ fontSize: 12 }}>
                          {((s.traits as Record<string, unknown> | null)?.email as string) ?? s.profileId}
                        </li>
                      ))}
                    </ul>
                  )}
                </>
              ) : (
                <Alert type="info" message={t('segments.previewHint')} />
              )}
            </div>
          </Card>
        </Col>
      </Row>
    </>
  );
}
