// Runs user-written transformation code in a V8 isolate (isolated-vm): no Node APIs, no I/O, its own
// heap capped at `memoryMb` and each call stopped after `timeoutMs`. It runs inside the sandbox
// process (sandbox-host.ts), never in the server process.
import ivm from 'isolated-vm';
import { createHash } from 'node:crypto';
import { AppError } from '../../shared/errors.js';

export interface SandboxLimits {
  timeoutMs: number;
  memoryMb: number;
}

interface Compiled {
  isolate: ivm.Isolate;
  run: ivm.Reference<(input: string) => string | undefined>;
}

// Values cross the isolate boundary as JSON text: nothing of the host leaks in, and whatever the code
// returns (functions, cycles) is checked on the way out.
const BOOTSTRAP = `
globalThis.console = { log() {}, info() {}, warn() {}, error() {} };
globalThis.__meridianRun = (input) => {
  if (typeof transform !== 'function') throw new Error('the code must define function transform(event)');
  const out = transform(JSON.parse(input));
  return out === undefined ? undefined : JSON.stringify(out);
};`;

export class Sandbox {
  // One compiled isolate per source, replaced when the code changes.
  private readonly compiled = new Map<string, { hash: string; ready: Promise<Compiled> }>();

  constructor(private readonly limits: SandboxLimits) {}

  /** Compiles the code and checks that it defines transform(); throws transform_compile_error. */
  async check(code: string): Promise<void> {
    const c = await this.compile(code);
    c.isolate.dispose();
  }

  /** Runs transform(event) for the source's code; the result is the parsed JSON value it returned. */
  async run(key: string, code: string, event: unknown): Promise<unknown> {
    const hash = createHash('sha256').update(code).digest('hex');
    let entry = this.compiled.get(key);
    if (!entry || entry.hash !== hash) {
      if (entry) this.discard(key, entry);
      entry = { hash, ready: this.compile(code) };
      this.compiled.set(key, entry);
      entry.ready.catch(() => this.compiled.delete(key));
    }
    const c = await entry.ready;
    try {
      const out = await c.run.apply(undefined, [JSON.stringify(event)], { timeout: this.limits.timeoutMs, result: { copy: true } });
      return out === undefined ? undefined : JSON.parse(out);
    } catch (err) {
      // A timed-out or out-of-memory isolate may be left in any state: start the next call afresh.
      const error = this.runtimeError(err, c.isolate);
      if (error.code !== 'transform_error') this.discard(key, entry);
      throw error;
    }
  }

  /** Drops the compiled code of a source (its transformation changed or was removed). */
  forget(key: string) {
    const entry = this.compiled.get(key);
    if (entry) this.discard(key, entry);
  }

  private async compile(code: string): Promise<Compiled> {
    const isolate = new ivm.Isolate({ memoryLimit: this.limits.memoryMb });
    try {
      const context = await isolate.createContext();
      let script: ivm.Script;
      try {
        script = await isolate.compileScript(code, { filename: 'transformation.js' });
      } catch (err) {
        throw new AppError('transform_compile_error', 400, `the transformation does not compile: ${(err as Error).message}`);
      }
      await script.run(context, { timeout: this.limits.timeoutMs }).catch((err: unknown) => {
        throw this.runtimeError(err, isolate, 'transform_compile_error');
      });
      await (await isolate.compileScript(BOOTSTRAP)).run(context);
      const defined = await context.eval('typeof transform', { copy: true });
      if (defined !== 'function')
        throw new AppError('transform_compile_error', 400, 'the transformation must define function transform(event)');
      const run = await context.global.get('__meridianRun', { reference: true });
      return { isolate, run };
    } catch (err) {
      if (!isolate.isDisposed) isolate.dispose();
      throw err;
    }
  }

  private runtimeError(err: unknown, isolate: ivm.Isolate, code: 'transform_error' | 'transform_compile_error' = 'transform_error'): AppError {
    const message = err instanceof Error ? err.message : String(err);
    if (isolate.isDisposed || /memory limit|allocation failed/i.test(message) || nearHeapLimit(isolate, this.limits.memoryMb))
      return new AppError('transform_memory_limit', 422, `the transformation exceeded its memory limit of ${this.limits.memoryMb} MB and was stopped`);
    if (/timed out/i.test(message))
      return new AppError('transform_timeout', 422, `the transformation ran longer than ${this.limits.timeoutMs} ms and was stopped`);
    const name = err instanceof Error && err.name !== 'Error' ? `${err.name}: ` : '';
    return new AppError(code, code === 'transform_compile_error' ? 400 : 422, `the transformation threw ${name}${message}`);
  }

  private discard(key: string, entry: { ready: Promise<Compiled> }) {
    if (this.compiled.get(key) === entry) this.compiled.delete(key);
    entry.ready.then((c) => !c.isolate.isDisposed && c.isolate.dispose()).catch(() => {});
  }
}

/** Near the limit V8 spends its time in garbage collection, so a memory bomb often hits the time limit
 * first: a heap at least half full when time ran out tells which limit the code really ran into. */
function nearHeapLimit(isolate: ivm.Isolate, memoryMb: number): boolean {
  try {
    return isolate.getHeapStatisticsSync().used_heap_size > 0.5 * memoryMb * 1024 * 1024;
  } catch {
    return false;
  }
}
