export { PipelineThread } from './host.js';
