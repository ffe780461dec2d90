export { webhookRoutes } from './routes.js';
