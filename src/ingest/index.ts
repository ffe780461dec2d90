export { Ingestor, type IngestLimits } from './service.js';
export { trackingRoutes } from './routes.js';
export { MESSAGE_TYPES, type MessageType } from './schema.js';
export { normalise, type NormaliseContext } from './normalise.js';
export { sdkRoutes } from './sdk-routes.js';
export { collectionCors } from './browser-cors.js';
export { basicUser } from './basic-auth.js';
