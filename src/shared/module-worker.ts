// Starts a worker thread running one of this project's modules, `relative` to the caller's module and
// without extension: `startModuleWorker(import.meta.url, './prefetch-thread', data)`. The compiled
// caller (dist/, production) starts the compiled .js; a caller loaded from the sources (tests, tsx)
// starts the .ts through module-worker.mjs.
import { Worker } from 'node:worker_threads';

export function startModuleWorker(callerUrl: string, relative: string, workerData: Record<string, unknown>): Worker {
  const extension = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  const moduleWorkerEntry = new URL(relative + extension, callerUrl).href;
  return new Worker(new URL('./module-worker.mjs', import.meta.url), { workerData: { ...workerData, moduleWorkerEntry } });
}
