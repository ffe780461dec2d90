// A refit's model fitting in its own worker thread (see service.ts): fitting 100,000 customers takes
// seconds to minutes of CPU, which on the main thread would stop the process's HTTP API and pipeline
// for as long. Receives the loaded input and settings, posts back the scores, cards and similarities.
import { parentPort, workerData } from 'node:worker_threads';
import { fitModels, type FitSettings, type ModelInput } from './fit-models.js';

try {
  parentPort!.postMessage({ ok: fitModels(workerData.input as ModelInput, workerData.settings as FitSettings) });
} catch (err) {
  parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) });
}
