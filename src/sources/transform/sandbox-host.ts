// The sandbox process: runs transformations in isolates on behalf of the server (SandboxProcess).
// V8 can abort a whole process when one allocation overshoots an isolate's heap, so isolates live
// here, and such a crash costs a restart of this process instead of the server.
import { AppError } from '../../shared/errors.js';
import { Sandbox } from './sandbox.js';
import type { HostReply, HostRequest } from './sandbox-process.js';

const sandbox = new Sandbox({ timeoutMs: Number(process.env.MERIDIAN_SANDBOX_TIMEOUT_MS), memoryMb: Number(process.env.MERIDIAN_SANDBOX_MEMORY_MB) });
const asError = (err: unknown) =>
  err instanceof AppError ? { code: err.code, status: err.status, message: err.message } : { code: 'transform_error' as const, status: 422, message: String((err as Error)?.message ?? err) };

// Requests for one source run one after another: a timed-out call discards the source's isolate,
// which must not fail the calls queued behind it.
const queues = new Map<string, Promise<void>>();

process.on('message', (req: HostRequest) => {
  const key = req.op === 'check' ? `check:${req.id}` : req.key;
  const next = (queues.get(key) ?? Promise.resolve()).then(() => handle(req));
  queues.set(key, next);
  void next.then(() => queues.get(key) === next && queues.delete(key));
});

async function handle(req: HostRequest) {
  let reply: HostReply;
  try {
    if (req.op === 'forget') {
      sandbox.forget(req.key);
      return;
    }
    if (req.op === 'check') {
      await sandbox.check(req.code);
      reply = { id: req.id, results: [] };
    } else {
      const results: HostReply['results'] = [];
      for (const input of req.inputs) {
        try {
          results.push({ value: await sandbox.run(req.key, req.code, input) });
        } catch (err) {
          // A compile error concerns the whole request, not one event.
          if (err instanceof AppError && err.code === 'transform_compile_error') throw err;
          results.push({ error: asError(err) });
        }
      }
      reply = { id: req.id, results };
    }
  } catch (err) {
    reply = { id: req.id, error: asError(err) };
  }
  process.send!(reply);
}
process.on('disconnect', () => process.exit(0));
