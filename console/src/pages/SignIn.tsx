// Sign-in with an API key (users with passwords arrive with the security work; see auth/credentials.ts).
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/AuthContext';
import { errorText } from '../api/errors';
import { LanguageSwitcher } from '../layout/LanguageSwitcher';

export default function SignIn() {
  const { t } = useTranslation();
  const { me, signIn } = useAuth();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/';
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (me) return <Navigate to={from} replace />;
  const submit = async ({ apiKey }: { apiKey: string }) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(apiKey.trim());
      navigate(from, { replace: true });
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f5f7fb' }}>
      <Card style={{ width: 440 }}>
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <Space style={{ justifyContent: 'space-between', width: '100%' }}>
            <Typography.Title level={3} style={{ margin: 0 }}>
              Meridian
            </Typography.Title>
            <LanguageSwitcher />
          </Space>
          <Typography.Paragraph type="secondary">{t('signIn.intro')}</Typography.Paragraph>
          {error && <Alert type="error" showIcon message={error} />}
          <Form layout="vertical" onFinish={submit} requiredMark={false}>
            <Form.Item name="apiKey" label={t('signIn.apiKey')} rules={[{ required: true, message: t('signIn.apiKeyRequired') }]}>
              <Input.Password autoFocus autoComplete="off" placeholder="mk_…" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t('signIn.submit')}
            </Button>
          </Form>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: 0 }}>
            {t('signIn.help')} <Typography.Text code>npx meridian keys create --role admin</Typography.Text>
          </Typography.Paragraph>
        </Space>
      </Card>
    </div>
  );
}
