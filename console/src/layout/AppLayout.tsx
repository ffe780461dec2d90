// The signed-in frame: sidebar navigation (only the sections the role may use), language, sign-out.
import { Suspense } from 'react';
import { Link, Navigate, Outlet, useLocation } from 'react-router-dom';
import { Button, Layout, Menu, Space, Spin, Tag, Typography } from 'antd';
import { ApiOutlined, AppstoreOutlined, BranchesOutlined, DashboardOutlined, LineChartOutlined, LogoutOutlined, SafetyOutlined, SendOutlined, SettingOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/AuthContext';
import { allowed, SECTIONS, type Section } from '../auth/permissions';
import { LanguageSwitcher } from './LanguageSwitcher';

const ICONS: Record<Section, React.ReactNode> = {
  overview: <DashboardOutlined />,
  analytics: <LineChartOutlined />,
  sources: <ApiOutlined />,
  customers: <UserOutlined />,
  segments: <TeamOutlined />,
  predictions: <LineChartOutlined />,
  journeys: <BranchesOutlined />,
  placements: <AppstoreOutlined />,
  destinations: <SendOutlined />,
  privacy: <SafetyOutlined />,
  settings: <SettingOutlined />,
};

export function AppLayout() {
  const { t } = useTranslation();
  const { me, checking, signOut } = useAuth();
  const location = useLocation();
  if (checking) return <Spin fullscreen />;
  if (!me) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  const current = SECTIONS.find((s) => location.pathname.startsWith('/' + s));
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={208} breakpoint="lg" collapsedWidth={64} theme="dark">
        <div style={{ color: '#fff', fontWeight: 600, fontSize: 18, padding: '18px 24px' }}>Meridian</div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={current ? [current] : []}
          aria-label={t('layout.navigation')}
          items={SECTIONS.filter((s) => allowed(me, s)).map((s) => ({ key: s, icon: ICONS[s], label: <Link to={'/' + s}>{t(`nav.${s}`)}</Link> }))}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 24px', display: 'flex', justifyContent: 'flex-end', alignItems: 'center', borderBottom: '1px solid #f0f0f0' }}>
          <Space size="middle">
            <LanguageSwitcher />
            <Typography.Text type="secondary">
              {t('layout.signedInAs')} <Tag color="blue">{t(`roles.${me.role}`, { defaultValue: me.role })}</Tag> <Typography.Text>{me.label}</Typography.Text>
            </Typography.Text>
            <Button icon={<LogoutOutlined />} onClick={signOut}>
              {t('layout.signOut')}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24, minWidth: 0 }}>
          <Suspense fallback={<Spin style={{ display: 'block', marginTop: 80 }} />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
