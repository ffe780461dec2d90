export { webhookRoutes } from './routes.js';
export { WebhookFetchQueue } from './fetch-queue.js';
