export { EventLog, eventPayloads, toStoredEvents, type NewLogEvent, type StoredEvent, type AppendOutcome, type Admission, type EventQuery } from './event-log.js';
export { FailedEvents, type FailedEvent } from './failed-events.js';
export { logRoutes } from './routes.js';
export { Stage, type Feed, type StageOptions, type StageFailureContext, type StageFault, type StageStatus, logStageFailures } from './stage.js';
export { pipelineRoutes, type Replayer } from './pipeline-routes.js';
export { ITEM_ATTEMPTS } from './stage.js';
export { markReplayed, openFailure, recordReplayError, setAside, stageItems } from './stage-failures.js';
export { pipelineHealth, registerStageMetrics } from './pipeline-health.js';
