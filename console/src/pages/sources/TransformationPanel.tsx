// Custom JavaScript transformation of a source, with a test console that runs code on a sample event.
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Row, Space } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { orNull } from '../../api/optional';
import type { Transformation, TransformationTest } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { Confirm, ErrorAlert } from '../../components/feedback';
import { CodeBlock } from '../../components/CodeBlock';
import { CodeInput, parseJson } from '../../components/JsonEditor';
import { useNotify } from '../../components/useNotify';

const EXAMPLE_CODE = `function transform(event) {
  // Drop test traffic, tidy a property, or return several events.
  if (event.properties && event.properties.test) return null;
  return event;
}`;
const EXAMPLE_EVENT = JSON.stringify({ type: 'track', userId: 'user-123', event: 'Order Completed', properties: { total: 120 } }, null, 2);

export function TransformationPanel({ sourceId }: { sourceId: string }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const key = ['transformation', sourceId];
  const saved = useQuery({ queryKey: key, queryFn: () => orNull(api.get<Transformation>(`/v1/sources/${sourceId}/transformation`)) });
  const [code, setCode] = useState(EXAMPLE_CODE);
  const [sample, setSample] = useState(EXAMPLE_EVENT);
  useEffect(() => {
    if (saved.data) setCode(saved.data.code);
  }, [saved.data]);
  const save = useMutation({
    mutationFn: () => api.put<Transformation>(`/v1/sources/${sourceId}/transformation`, { code }),
    onSuccess: (tr) => (queryClient.setQueryData(key, tr), notify.ok(t('common.saved'))),
    onError: notify.error,
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/v1/sources/${sourceId}/transformation`),
    onSuccess: () => (queryClient.setQueryData(key, null), setCode(EXAMPLE_CODE), notify.ok(t('common.removed'))),
    onError: notify.error,
  });
  const event = parseJson(sample);
  const test = useMutation({ mutationFn: () => api.post<TransformationTest>(`/v1/sources/${sourceId}/transformation/test`, { event: event.ok ? event.value : {}, code }) });
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={12}>
        <Card title={t('transformation.code')}>
          <ErrorAlert error={saved.error} />
          <CodeInput label={t('transformation.code')} value={code} onChange={setCode} rows={16} />
          {can(me, 'sources') && (
            <Space style={{ marginTop: 12 }}>
              <Button type="primary" onClick={() => save.mutate()} loading={save.isPending}>
                {t('common.save')}
              </Button>
              {saved.data && (
                <Confirm title={t('transformation.removeConfirm')} onConfirm={() => remove.mutate()}>
                  <Button danger>{t('common.remove')}</Button>
                </Confirm>
              )}
            </Space>
          )}
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Card title={t('transformation.test')}>
          <CodeInput label={t('transformation.sample')} value={sample} onChange={setSample} rows={8} invalid={!event.ok} />
          <Button style={{ margin: '12px 0' }} disabled={!event.ok || !can(me, 'transformationTest')} loading={test.isPending} onClick={() => test.mutate()}>
            {t('transformation.run')}
          </Button>
          <ErrorAlert error={test.error} />
          {test.data?.error && <Alert type="error" showIcon message={`${test.data.error.code}: ${test.data.error.message}`} />}
          {test.data && !test.data.error && (test.data.events.length === 0 ? <Alert type="warning" showIcon message={t('transformation.dropped')} /> : <CodeBlock code={JSON.stringify(test.data.events, null, 2)} />)}
        </Card>
      </Col>
    </Row>
  );
}
