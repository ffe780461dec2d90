// The server's handle on the sandbox process (sandbox-host): sends it transformation calls over IPC
// and answers with each event's result. The process is started on first use and restarted after a
// crash; when several requests were in flight during a crash each is retried once in the new
// process, so only the code that crashes it again is blamed. A watchdog kills a process that stops answering.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../shared/errors.js';
import type { ErrorCode } from '../../shared/error-codes.js';
import type { SandboxLimits } from './sandbox.js';

export type HostRequest =
  | { id: number; op: 'check'; code: string }
  | { id: number; op: 'run'; key: string; code: string; inputs: unknown[] }
  | { id: 0; op: 'forget'; key: string };

export interface HostError {
  code: ErrorCode;
  status: number;
  message: string;
}

export type Outcome = { value?: unknown; error?: undefined } | { error: HostError };

export interface HostReply {
  id: number;
  results?: Outcome[];
  error?: HostError;
}

interface Pending {
  request: Exclude<HostRequest, { op: 'forget' }>;
  attempts: number;
  resolve: (results: Outcome[]) => void;
  reject: (err: AppError) => void;
}

// In development the host is TypeScript (run through tsx); built, it is JavaScript next to this file.
const hostUrl = new URL(`./sandbox-host${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
const WATCHDOG_GRACE_MS = 10_000;

export class SandboxProcess {
  private child?: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private watchdog?: NodeJS.Timeout;

  constructor(
    private readonly limits: SandboxLimits,
    private readonly onCrash: (info: { code: number | null; signal: string | null }) => void = () => {},
  ) {}

  /** Throws transform_compile_error unless the code compiles and defines transform(). */
  async check(code: string): Promise<void> {
    await this.call({ id: 0, op: 'check', code });
  }

  /** transform(input) for each input, in order: a value (null/undefined = dropped) or an error. */
  runMany(key: string, code: string, inputs: unknown[]): Promise<Outcome[]> {
    return this.call({ id: 0, op: 'run', key, code, inputs });
  }

  forget(key: string) {
    if (this.child?.connected) this.child.send({ id: 0, op: 'forget', key } satisfies HostRequest);
  }

  close() {
    this.closed = true;
    clearTimeout(this.watchdog);
    this.child?.kill('SIGKILL');
  }

  private call(request: Exclude<HostRequest, { op: 'forget' }>): Promise<Outcome[]> {
    if (this.closed) return Promise.reject(new AppError('transform_unavailable', 503, 'the transformation sandbox is shut down'));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const p: Pending = { request: { ...request, id }, attempts: 0, resolve, reject };
      this.pending.set(id, p);
      this.send(p);
    });
  }

  private send(p: Pending) {
    p.attempts++;
    const child = this.process();
    this.armWatchdog();
    child.ref();
    child.channel?.ref();
    child.send(p.request);
  }

  private process(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return this.child;
    const child = fork(fileURLToPath(hostUrl), [], {
      execArgv: hostUrl.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [],
      env: { ...process.env, MERIDIAN_SANDBOX_TIMEOUT_MS: String(this.limits.timeoutMs), MERIDIAN_SANDBOX_MEMORY_MB: String(this.limits.memoryMb) },
      // V8's fatal-error report goes nowhere: the crash is reported through onCrash.
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
    });
    child.on('message', (reply: HostReply) => this.settle(reply));
    child.on('exit', (code, signal) => this.crashed(child, code, signal));
    this.child = child;
    return child;
  }

  private settle(reply: HostReply) {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    this.armWatchdog();
    // Idle, the sandbox must not keep the server process alive on its own.
    if (this.pending.size === 0) {
      this.child?.unref();
      this.child?.channel?.unref();
    }
    if (reply.error) p.reject(new AppError(reply.error.code, reply.error.status, reply.error.message));
    else p.resolve(reply.results ?? []);
  }

  /**
   * Even run one after another, everything pending finishes within its calls' time limits: a
   * process silent for longer is stuck, and is killed (then handled as a crash).
   */
  private armWatchdog() {
    clearTimeout(this.watchdog);
    if (this.pending.size === 0) return;
    let calls = 0;
    for (const p of this.pending.values()) calls += p.request.op === 'run' ? p.request.inputs.length + 1 : 1;
    const child = this.child;
    this.watchdog = setTimeout(() => child?.kill('SIGKILL'), calls * this.limits.timeoutMs + WATCHDOG_GRACE_MS);
    this.watchdog.unref();
  }

  private crashed(child: ChildProcess, code: number | null, signal: string | null) {
    if (this.child === child) this.child = undefined;
    if (this.closed) {
      for (const p of this.pending.values()) p.reject(new AppError('transform_unavailable', 503, 'the transformation sandbox is shut down'));
      this.pending.clear();
      return;
    }
    this.onCrash({ code, signal });
    // A request alone in the process when it died is what killed it; with several, retry each once.
    const alone = this.pending.size === 1;
    for (const [id, p] of this.pending) {
      if (!alone && p.attempts < 2) {
        this.send(p);
        continue;
      }
      this.pending.delete(id);
      p.reject(
        new AppError('transform_memory_limit', 422, `the transformation exhausted the sandbox (memory limit ${this.limits.memoryMb} MB) and was stopped; the sandbox was restarted`),
      );
    }
    this.armWatchdog();
  }
}
