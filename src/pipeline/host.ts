// The pipeline thread, API side. In the default single process (`meridian start`, role all) the
// pipeline stages ran on the API's event loop: on SQLite a stage batch's queries run synchronously, so
// every batch (milliseconds to tens of milliseconds) held up the requests being parsed and acknowledged
// behind it. The stages now run in a thread of their own (thread.ts) with its own store connections,
// the way a worker process runs them beside API processes, and the API thread only:
// - wakes them when its log commits new events (one message per event-loop turn at most);
// - mirrors their status (running, failures, progress) into its own Stage objects, which the health
//   report and the metrics read;
// - asks the thread to drain (drainPipeline) and to stop (close).
// A thread that dies is reported and started again: the stages resume from their stored positions.
import type { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { EventLog, Stage } from '../log/index.js';
import { startModuleWorker } from '../shared/module-worker.js';
import type { FromHost, ToHost } from './messages.js';

export interface PipelineThreadLog {
  error(obj: object, msg: string): void;
}

const RESTART_MS = 1_000;
const POKE_EVERY_MS = 20;

export class PipelineThread {
  private thread: Worker | null = null;
  private started: Promise<void> | null = null;
  private stopping = false;
  private pokeQueued = false;
  private lastPoke = 0;
  private unsubscribe: (() => void) | undefined;
  private nextDrain = 1;
  private readonly drains = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private stopped: (() => void) | null = null;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: Config,
    private readonly stages: Stage<unknown>[],
    private readonly log: EventLog,
    private readonly logger: PipelineThreadLog,
  ) {}

  /** Whether the stages run in the thread (started and not stopped). */
  get active(): boolean {
    return this.started !== null && !this.stopping;
  }

  /** Starts the thread; resolves once its stages run. */
  start(): Promise<void> {
    this.unsubscribe ??= this.log.onCommitted(() => this.poke());
    this.started ??= this.spawn();
    return this.started;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const thread = startModuleWorker(import.meta.url, './thread', { config: this.config });
      this.thread = thread;
      thread.on('message', (message: ToHost) => {
        switch (message.type) {
          case 'started':
            resolve();
            break;
          case 'status':
            for (const { name, status } of message.stages) {
              const stage = this.stages.find((s) => s.name === name);
              if (stage) Object.assign(stage.status, status);
            }
            break;
          case 'drained': {
            const waiter = this.drains.get(message.id);
            this.drains.delete(message.id);
            if (message.error) waiter?.reject(new Error(`pipeline thread: ${message.error}`));
            else waiter?.resolve();
            break;
          }
          case 'stopped':
            if (message.error) this.logger.error({ err: message.error }, 'the pipeline thread failed to stop cleanly');
            this.stopped?.();
            break;
        }
      });
      thread.on('error', (err) => this.logger.error({ err }, 'the pipeline thread failed'));
      thread.on('exit', (code) => {
        this.thread = null;
        for (const stage of this.stages) stage.status.running = false;
        for (const waiter of this.drains.values()) waiter.reject(new Error(`the pipeline thread exited (code ${code})`));
        this.drains.clear();
        reject(new Error(`the pipeline thread exited (code ${code}) before its stages started`));
        if (this.stopping) return this.stopped?.();
        // The stages resume from their stored positions: start it again, after a pause.
        this.logger.error({ code }, `the pipeline thread exited (code ${code}); starting it again in ${RESTART_MS} ms`);
        this.restartTimer = setTimeout(() => {
          this.started = this.spawn();
          this.started.catch(() => {});
        }, RESTART_MS);
      });
    });
  }

  /**
   * New events in the log: a wake-up message, at most one per POKE_EVERY_MS (the stages gather that
   * long anyway, see thread.ts; a message per group commit cost the API thread ~7 % in postMessage).
   */
  private poke() {
    if (this.pokeQueued || !this.thread) return;
    this.pokeQueued = true;
    const wait = Math.max(0, this.lastPoke + POKE_EVERY_MS - Date.now());
    const send = () => {
      this.pokeQueued = false;
      this.lastPoke = Date.now();
      this.send({ type: 'poke' });
    };
    if (wait === 0) setImmediate(send);
    else setTimeout(send, wait);
  }

  /** Runs every stage until the pipeline is caught up (tests, imports, benchmarks). */
  async drain(): Promise<void> {
    await this.started;
    const id = this.nextDrain++;
    await new Promise<void>((resolve, reject) => {
      this.drains.set(id, { resolve, reject });
      this.send({ type: 'drain', id });
    });
  }

  /** Stops the stages after their current batch, closes the thread's connections and ends it. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.unsubscribe?.();
    const thread = this.thread;
    if (!thread) return;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    await new Promise<void>((resolve) => {
      this.stopped = resolve;
      this.send({ type: 'stop' });
    });
    await thread.terminate();
    await exited;
  }

  private send(message: FromHost) {
    this.thread?.postMessage(message);
  }
}
