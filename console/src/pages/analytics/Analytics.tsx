// The Analytics section: one window (filters.tsx) shared by the dashboard, funnels, cohorts, paths,
// web analytics, channel ROI and journey effect tabs.
import { lazy, Suspense, useState } from 'react';
import { Skeleton, Tabs } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/feedback';
import { initialFilters, type Filters } from './filters';

const tabs = {
  dashboard: lazy(() => import('./Dashboard')),
  funnels: lazy(() => import('./Funnels')),
  cohorts: lazy(() => import('./Cohorts')),
  paths: lazy(() => import('./Paths')),
  web: lazy(() => import('./Web')),
  roi: lazy(() => import('./ChannelRoi')),
  journeys: lazy(() => import('./Journeys')),
};
type Tab = keyof typeof tabs;

export default function Analytics() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const [filters, setFilters] = useState<Filters>(initialFilters);
  const active = (params.get('tab') as Tab) in tabs ? (params.get('tab') as Tab) : 'dashboard';
  return (
    <>
      <PageHeader title={t('analytics.title')} sub={t('analytics.subtitle')} />
      <Tabs
        activeKey={active}
        onChange={(k) => setParams({ tab: k }, { replace: true })}
        destroyOnHidden
        items={(Object.keys(tabs) as Tab[]).map((key) => {
          const Body = tabs[key];
          return {
            key,
            label: t(`analytics.tabs.${key}`),
            children: (
              <Suspense fallback={<Skeleton active />}>
                <Body filters={filters} onFilters={setFilters} />
              </Suspense>
            ),
          };
        })}
      />
    </>
  );
}
