// Providers (server state, language, sign-in) and the routes, each page its own lazily loaded chunk.
import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { languageOf } from './i18n/languages';
import { AuthProvider, useAuth } from './auth/AuthContext';
import { AppLayout } from './layout/AppLayout';
import { ApiError } from './api/client';
import { allowed, type Section } from './auth/permissions';

const page = {
  signIn: lazy(() => import('./pages/SignIn')),
  overview: lazy(() => import('./pages/overview/Overview')),
  analytics: lazy(() => import('./pages/analytics/Analytics')),
  sources: lazy(() => import('./pages/sources/SourcesList')),
  source: lazy(() => import('./pages/sources/SourceDetail')),
  customers: lazy(() => import('./pages/customers/CustomerSearch')),
  customer: lazy(() => import('./pages/customers/CustomerProfile')),
  segments: lazy(() => import('./pages/segments/SegmentsList')),
  segmentEditor: lazy(() => import('./pages/segments/SegmentEditor')),
  segment: lazy(() => import('./pages/segments/SegmentDetail')),
  predictions: lazy(() => import('./pages/predictions/Predictions')),
  destinations: lazy(() => import('./pages/destinations/DestinationsList')),
  destinationNew: lazy(() => import('./pages/destinations/DestinationCreate')),
  destination: lazy(() => import('./pages/destinations/DestinationDetail')),
  privacy: lazy(() => import('./pages/privacy/PrivacyRequests')),
  settings: lazy(() => import('./pages/settings/Settings')),
  journeys: lazy(() => import('./pages/journeys/JourneysList')),
  journey: lazy(() => import('./pages/journeys/JourneyEditor')),
  placements: lazy(() => import('./pages/placements/PlacementsPage')),
};

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // Client errors (bad input, forbidden, not found) do not get better by retrying.
      retry: (count, err) => count < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
    },
  },
});

function Guard({ section, children }: { section: Section; children: ReactNode }) {
  const { me } = useAuth();
  if (!me) return <Navigate to="/sign-in" replace />;
  return allowed(me, section) ? children : <Navigate to="/" replace />;
}

function Home() {
  const { me } = useAuth();
  if (!me) return <Navigate to="/sign-in" replace />;
  return <Navigate to={allowed(me, 'overview') ? '/overview' : '/customers'} replace />;
}

const guarded = (section: Section, element: ReactNode) => <Guard section={section}>{element}</Guard>;

const router = createBrowserRouter([
  {
    path: '/sign-in',
    element: (
      <Suspense fallback={<Spin fullscreen />}>
        <page.signIn />
      </Suspense>
    ),
  },
  {
    element: <AppLayout />,
    children: [
      { index: true, element: <Home /> },
      { path: 'overview', element: guarded('overview', <page.overview />) },
      { path: 'analytics', element: guarded('analytics', <page.analytics />) },
      { path: 'sources', element: guarded('sources', <page.sources />) },
      { path: 'sources/:id', element: guarded('sources', <page.source />) },
      { path: 'customers', element: guarded('customers', <page.customers />) },
      { path: 'customers/:idType/:idValue', element: guarded('customers', <page.customer />) },
      { path: 'segments', element: guarded('segments', <page.segments />) },
      { path: 'segments/new', element: guarded('segments', <page.segmentEditor />) },
      { path: 'segments/:id/edit', element: guarded('segments', <page.segmentEditor />) },
      { path: 'segments/:id', element: guarded('segments', <page.segment />) },
      { path: 'predictions', element: guarded('predictions', <page.predictions />) },
      { path: 'journeys', element: guarded('journeys', <page.journeys />) },
      { path: 'journeys/:id', element: guarded('journeys', <page.journey />) },
      { path: 'placements', element: guarded('placements', <page.placements />) },
      { path: 'destinations', element: guarded('destinations', <page.destinations />) },
      { path: 'destinations/new', element: guarded('destinations', <page.destinationNew />) },
      { path: 'destinations/:id', element: guarded('destinations', <page.destination />) },
      { path: 'privacy', element: guarded('privacy', <page.privacy />) },
      { path: 'settings', element: guarded('settings', <page.settings />) },
      { path: '*', element: <Navigate to="/" replace /> },
    ],
  },
]);

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={languageOf(i18n.language).antd} button={{ autoInsertSpace: false }} theme={{ token: { colorPrimary: '#3056d3', borderRadius: 6 } }}>
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <AuthProvider>
            <RouterProvider router={router} />
          </AuthProvider>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
