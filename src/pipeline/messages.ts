// What the API thread and the pipeline thread say to each other (host.ts, thread.ts).
import type { StageStatus } from '../log/index.js';

export type FromHost = { type: 'poke' } | { type: 'drain'; id: number } | { type: 'stop' };

export type ToHost =
  | { type: 'started' }
  | { type: 'status'; stages: { name: string; status: StageStatus }[] }
  | { type: 'drained'; id: number; error?: string }
  | { type: 'stopped'; error?: string };
