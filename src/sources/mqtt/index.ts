export { MqttWorker } from './worker.js';
export { mqttRoutes } from './routes.js';
