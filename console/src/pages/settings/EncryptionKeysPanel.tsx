// Settings → Encryption: the key-encryption key in use, the data keys under it, and a rotation (a new data
// key, every sealed value re-encrypted in the background) with its progress. Field encryption is turned on
// on the server (MERIDIAN_KEK); while it is off the panel says so.
import { Button, Descriptions, Space, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { EncryptionKeys } from '../../api/types';
import { Confirm, ErrorAlert } from '../../components/feedback';
import { JobProgress } from '../../components/JobProgress';
import { ListTable } from '../../components/ListTable';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';

type DataKey = EncryptionKeys['keys'][number];

export default function EncryptionKeysPanel() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const status = useQuery({
    queryKey: ['privacy-keys'],
    queryFn: () => api.get<EncryptionKeys>('/v1/privacy/keys'),
    // Poll while values are being re-encrypted, so the bar moves.
    refetchInterval: (q) => (q.state.data?.reencryption.running ? 1_500 : false),
    retry: false,
  });
  const rotate = useMutation({
    mutationFn: () => api.post<EncryptionKeys>('/v1/privacy/keys/rotate', {}),
    onSuccess: (s) => {
      notify.ok(t('settings.encryption.rotated'));
      queryClient.setQueryData(['privacy-keys'], s);
    },
    onError: notify.error,
  });
  if (status.error) return <ErrorAlert error={status.error} />;
  const s = status.data;
  if (!s) return null;
  const r = s.reencryption;
  const state = r.error ? 'failed' : r.running ? 'running' : 'done';
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary">{t('settings.encryption.intro')}</Typography.Paragraph>
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t('settings.encryption.kek')}>
          <Typography.Text code>{s.kekId}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('settings.encryption.activeKey')}>
          <Typography.Text code>{s.activeKeyId}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('settings.encryption.reencryption')}>
          <div data-testid="reencryption-progress">
            <JobProgress state={state} done={r.reencrypted} total={r.reencrypted + r.remaining} unit="jobs.units.values" error={r.error} width={320} />
          </div>
        </Descriptions.Item>
      </Descriptions>
      <Confirm title={t('settings.encryption.rotateConfirm')} onConfirm={() => rotate.mutate()}>
        <Button type="primary" loading={rotate.isPending} disabled={r.running}>
          {t('settings.encryption.rotate')}
        </Button>
      </Confirm>
      <ListTable<DataKey>
        rowKey="id"
        loading={status.isLoading}
        rows={s.keys}
        search={(k) => [k.id, k.kekId]}
        searchPlaceholder={t('settings.encryption.filter')}
        empty={{ text: t('settings.encryption.noKeys') }}
        columns={[
          { title: t('settings.encryption.keyId'), dataIndex: 'id', render: (id: string, k) => <Space><Typography.Text code>{id}</Typography.Text>{k.active && <Tag color="green">{t('settings.encryption.active')}</Tag>}</Space> },
          { title: t('settings.encryption.wrappedBy'), dataIndex: 'kekId', render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
          { title: t('settings.encryption.created'), dataIndex: 'createdAt', render: (at: string) => fmt.dateTime(at) },
        ]}
      />
    </Space>
  );
}
