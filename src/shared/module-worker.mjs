// Entry of worker threads whose code is a TypeScript module of this project (see module-worker.ts):
// from dist/ it imports the compiled .js; under the sources (tests, tsx) it first registers tsx's
// loader, which a worker thread does not inherit from the process that started it.
import { workerData } from 'node:worker_threads';

if (workerData.moduleWorkerEntry.endsWith('.ts')) (await import('tsx/esm/api')).register();
await import(workerData.moduleWorkerEntry);
