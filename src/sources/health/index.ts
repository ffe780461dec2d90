export { sourceHealthRoutes } from './routes.js';
