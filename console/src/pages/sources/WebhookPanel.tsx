// Receive a vendor's webhooks on this source: the vendor, the URL to give them, the signing secret.
import { Alert, Button, Descriptions, Form, Input, Select, Space, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { orNull } from '../../api/optional';
import type { Webhook } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { Confirm, ErrorAlert } from '../../components/feedback';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';

/** The vendors with a built-in webhook transformation (typed against the server's list). */
const VENDORS = ['shopify', 'woocommerce', 'typeform', 'surveymonkey', 'zendesk', 'pos', 'loyalty'] as const satisfies readonly Webhook['vendor'][];

export function WebhookPanel({ sourceId }: { sourceId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { me } = useAuth();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const key = ['webhook', sourceId];
  const hook = useQuery({ queryKey: key, queryFn: () => orNull(api.get<Webhook>(`/v1/sources/${sourceId}/webhook`)) });
  const save = useMutation({
    mutationFn: (v: { vendor: string; secret?: string }) => api.put<Webhook>(`/v1/sources/${sourceId}/webhook`, { vendor: v.vendor, ...(v.secret ? { secret: v.secret } : {}) }),
    onSuccess: (w) => (queryClient.setQueryData(key, w), notify.ok(t('common.saved'))),
    onError: notify.error,
  });
  const remove = useMutation({ mutationFn: () => api.delete(`/v1/sources/${sourceId}/webhook`), onSuccess: () => queryClient.setQueryData(key, null), onError: notify.error });
  const admin = can(me, 'sources');
  return (
    <Space direction="vertical" style={{ width: '100%', maxWidth: 760 }}>
      <ErrorAlert error={hook.error} />
      {hook.data ? (
        <Descriptions bordered size="small" column={1}>
          <Descriptions.Item label={t('webhook.vendor')}>{hook.data.vendor}</Descriptions.Item>
          <Descriptions.Item label={t('webhook.url')}>
            <Typography.Text copyable code>
              {window.location.origin + hook.data.url}
            </Typography.Text>
          </Descriptions.Item>
          {hook.data.secret && (
            <Descriptions.Item label={t('webhook.secret')}>
              <Typography.Text copyable code>
                {hook.data.secret}
              </Typography.Text>
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('common.updated')}>{fmt.dateTime(hook.data.updatedAt)}</Descriptions.Item>
        </Descriptions>
      ) : (
        hook.data === null && <Alert type="info" showIcon message={t('webhook.none')} />
      )}
      {hook.data?.secret && <Alert type="warning" showIcon message={t('webhook.secretOnce')} />}
      {admin && (
        <Form layout="vertical" onFinish={(v) => save.mutate(v)} initialValues={{ vendor: hook.data?.vendor ?? 'shopify' }} key={hook.data?.vendor ?? 'new'}>
          <Form.Item name="vendor" label={t('webhook.vendor')}>
            <Select options={VENDORS.map((v) => ({ value: v, label: v }))} />
          </Form.Item>
          <Form.Item name="secret" label={t('webhook.secretInput')} extra={t('webhook.secretHelp')}>
            <Input.Password autoComplete="off" />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
            {hook.data && (
              <Confirm title={t('webhook.removeConfirm')} onConfirm={() => remove.mutate()}>
                <Button danger>{t('common.remove')}</Button>
              </Confirm>
            )}
          </Space>
        </Form>
      )}
    </Space>
  );
}
