// The sandbox process on its own: a crash of the process (V8 aborting on one huge allocation) blames
// the code that caused it, not a transformation that happened to be running next to it.
import { afterAll, describe, expect, it } from 'vitest';
import { SandboxProcess } from '../src/sources/transform/sandbox-process.js';

describe('transformation sandbox process', () => {
  const crashes: unknown[] = [];
  const sandbox = new SandboxProcess({ timeoutMs: 1000, memoryMb: 32 }, (exit) => crashes.push(exit));
  afterAll(() => sandbox.close());

  it('runs each input and reports per-event errors', async () => {
    const out = await sandbox.runMany('a', 'function transform(e) { if (e.bad) throw new RangeError("bad " + e.n); return { ...e, ok: true } }', [{ n: 1 }, { n: 2, bad: true }, { n: 3 }]);
    expect(out).toEqual([
      { value: { n: 1, ok: true } },
      { error: { code: 'transform_error', status: 422, message: 'the transformation threw RangeError: bad 2' } },
      { value: { n: 3, ok: true } },
    ]);
  });

  it('restarts after a crash, blames the crashing code and completes the innocent request', async () => {
    const bomb = sandbox.runMany('bomb', 'function transform(e) { return new Array(1 << 26).fill(1.5).length }', [{}]);
    const innocent = sandbox.runMany('fine', 'function transform(e) { return e }', [{ n: 1 }]);
    const [b, i] = await Promise.allSettled([bomb, innocent]);
    expect(i).toEqual({ status: 'fulfilled', value: [{ value: { n: 1 } }] });
    expect(b.status).toBe('rejected');
    expect((b as PromiseRejectedResult).reason).toMatchObject({ code: 'transform_memory_limit' });
    expect(crashes.length).toBeGreaterThanOrEqual(1);
    expect(await sandbox.runMany('after', 'function transform(e) { return [e, e] }', [{ x: 1 }])).toEqual([{ value: [{ x: 1 }, { x: 1 }] }]);
  });
});
