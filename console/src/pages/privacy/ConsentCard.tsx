// The customer card's consent: each category granted, refused or not stated (with when), and — for
// those allowed to — a switch that records a statement through the API (as a CMP would).
import { Card, Space, Switch, Table, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { ConsentState } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { can } from '../../auth/permissions';
import { ErrorAlert } from '../../components/feedback';
import { useNotify } from '../../components/useNotify';
import { useFormat } from '../../i18n/format';
import { categoryName } from './categoryNames';

type Row = ConsentState['categories'][number];

export function ConsentCard({ base }: { base: string }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const fmt = useFormat();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const state = useQuery({ queryKey: ['consent', base], queryFn: () => api.get<ConsentState>(`${base}/consent`) });
  const record = useMutation({
    mutationFn: (p: Record<string, boolean>) => api.put<ConsentState>(`${base}/consent`, { preferences: p }),
    onSuccess: (s) => {
      queryClient.setQueryData(['consent', base], s);
      notify.ok(t('privacy.consentRecorded'));
    },
    onError: notify.error,
  });
  const editor = can(me, 'consent');
  return (
    <Card size="small" title={t('privacy.consent')}>
      <ErrorAlert error={state.error} />
      <Table<Row>
        size="small"
        rowKey="id"
        pagination={false}
        showHeader={false}
        loading={state.isLoading}
        dataSource={state.data?.categories ?? []}
        columns={[
          { render: (_, c) => categoryName(c, t) },
          {
            render: (_, c) => (
              <Space>
                {c.granted === null ? <Tag>{t('privacy.notStated')}</Tag> : c.granted ? <Tag color="green">{t('privacy.granted')}</Tag> : <Tag color="red">{t('privacy.refused')}</Tag>}
                {c.at && <Typography.Text type="secondary">{fmt.dateTime(c.at)}</Typography.Text>}
              </Space>
            ),
          },
          {
            render: (_, c) =>
              editor && !c.required && <Switch size="small" checked={c.granted === true} loading={record.isPending} onChange={(granted) => record.mutate({ [c.id]: granted })} aria-label={t('privacy.toggleConsent', { category: categoryName(c, t) })} />,
          },
        ]}
      />
    </Card>
  );
}
