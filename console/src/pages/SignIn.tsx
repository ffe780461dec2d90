// Sign-in: email and password (a cookie session), or an API key in its own tab (automation accounts).
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Form, Input, Space, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/AuthContext';
import { errorText } from '../api/errors';
import { LanguageSwitcher } from '../layout/LanguageSwitcher';

export default function SignIn() {
  const { t } = useTranslation();
  const { me, signInWithPassword, signInWithKey } = useAuth();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/';
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (me) return <Navigate to={from} replace />;
  const attempt = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      navigate(from, { replace: true });
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  const passwordForm = (
    <Form layout="vertical" onFinish={({ email, password }: { email: string; password: string }) => attempt(() => signInWithPassword(email.trim(), password))} requiredMark={false}>
      <Form.Item name="email" label={t('signIn.email')} rules={[{ required: true, message: t('signIn.emailRequired') }]}>
        <Input autoFocus autoComplete="username" type="email" />
      </Form.Item>
      <Form.Item name="password" label={t('signIn.passwordLabel')} rules={[{ required: true, message: t('signIn.passwordRequired') }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy}>
        {t('signIn.submit')}
      </Button>
    </Form>
  );
  const keyForm = (
    <>
      <Form layout="vertical" onFinish={({ apiKey }: { apiKey: string }) => attempt(() => signInWithKey(apiKey.trim()))} requiredMark={false}>
        <Form.Item name="apiKey" label={t('signIn.apiKey')} rules={[{ required: true, message: t('signIn.apiKeyRequired') }]}>
          <Input.Password autoComplete="off" placeholder="mk_…" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('signIn.submit')}
        </Button>
      </Form>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '12px 0 0' }}>
        {t('signIn.help')} <Typography.Text code>npx meridian keys create --role admin</Typography.Text>
      </Typography.Paragraph>
    </>
  );
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
          <Tabs
            onChange={() => setError(null)}
            items={[
              { key: 'password', label: t('signIn.password'), children: passwordForm },
              { key: 'key', label: t('signIn.apiKeyTab'), children: keyForm },
            ]}
          />
        </Space>
      </Card>
    </div>
  );
}
