export { TrackingPlans } from './service.js';
export { TrackingPlanStore } from './store.js';
export { trackingPlanRoutes } from './routes.js';
