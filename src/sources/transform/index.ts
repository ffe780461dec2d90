export { SandboxProcess } from './sandbox-process.js';
export { Transformer } from './transformer.js';
export { transformationRoutes } from './routes.js';
