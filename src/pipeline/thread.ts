// The pipeline thread of `meridian start` (see host.ts): builds Meridian on the same store with its own
// connections, as a worker process would, and runs the pipeline stages here, off the API's event loop.
// The API thread keeps HTTP, the log writer and the background workers (delivery, timers, connectors).
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config.js';
import { createMeridian } from '../main.js';
import type { FromHost, ToHost } from './messages.js';

const port = parentPort!;
const { config } = workerData as { config: Config };
// role 'worker': this copy serves no HTTP and runs no pipeline thread of its own.
const meridian = await createMeridian({ ...config, role: 'worker' });
const { stages } = meridian;

/** Stage statuses for the API thread's health report and metrics (GET /v1/pipeline/health). */
const report = () => port.postMessage({ type: 'status', stages: stages.map((s) => ({ name: s.name, status: { ...s.status } })) } satisfies ToHost);
const STATUS_MS = 250;
const statusTimer = setInterval(report, STATUS_MS);

let stopping: Promise<void> | undefined;
async function stop() {
  clearInterval(statusTimer);
  for (const stage of stages) await stage.stop();
  report();
  await meridian.log.close();
  await meridian.storage.close();
}

port.on('message', (message: FromHost) => {
  switch (message.type) {
    case 'poke':
      // New events in the log: the stages reading it look at once (the others are woken on commit).
      for (const stage of stages) stage.poke();
      break;
    case 'drain':
      meridian.drainPipeline().then(
        () => (report(), port.postMessage({ type: 'drained', id: message.id } satisfies ToHost)),
        (err: Error) => port.postMessage({ type: 'drained', id: message.id, error: err.message } satisfies ToHost),
      );
      break;
    case 'stop':
      stopping ??= stop().then(
        () => port.postMessage({ type: 'stopped' } satisfies ToHost),
        (err: Error) => port.postMessage({ type: 'stopped', error: err.message } satisfies ToHost),
      );
      break;
  }
});

// Under a stream of small requests each stage takes what arrived in this long in one transaction,
// instead of a transaction per group commit (Stage.gather): at most this much later per stage.
const GATHER_MS = 25;
for (const stage of stages) {
  stage.gather(GATHER_MS);
  stage.start();
}
report();
port.postMessage({ type: 'started' } satisfies ToHost);
