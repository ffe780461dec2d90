// A vitest setup file (vitest.config.ts `setupFiles`): names any test that keeps its worker's event loop
// busy for long. A worker answers its runner over an RPC channel with a fixed 60 s timeout; a test that
// runs synchronously for that long makes the run fail with `Timeout calling "onTaskUpdate"` and no hint
// of which test did it. A 250 ms interval timer notes how late it fires; a gap longer than the threshold
// (MERIDIAN_LOOP_WATCH_MS, default 20 000 ms) is printed with every test and hook that ran during it.
// The clock and timer functions are taken before any test can install fake timers.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';

const hrtime = process.hrtime.bigint.bind(process.hrtime);
const realSetInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;
const nowMs = () => Number(hrtime() / 1_000_000n);

const THRESHOLD_MS = Number(process.env.MERIDIAN_LOOP_WATCH_MS ?? 20_000);
const EVERY_MS = 250;

let file = '';
let current = '';
/** What ran at any point since the last tick: the gap is somewhere in these. */
const since = new Set<string>();
let last = nowMs();

/** A tick: reports the gap since the previous one if it is over the threshold. */
function check(expected = 0) {
  const now = nowMs();
  const gap = now - last - expected;
  last = now;
  if (gap > THRESHOLD_MS) {
    const where = [...since].join(' | ') || `${file} (outside any test)`;
    process.stderr.write(`[loop-watch] event loop blocked ${(gap / 1000).toFixed(1)} s in ${where}\n`);
  }
  since.clear();
  since.add(current || `${file} (hooks)`);
}

const timer = realSetInterval(() => check(EVERY_MS), EVERY_MS);
timer.unref();

const mark = (name: string) => {
  current = name;
  since.add(name);
};

beforeAll((suite) => {
  file = (suite as { name?: string }).name ?? '';
  mark(`${file} (beforeAll)`);
});
beforeEach(() => mark(`${file} > ${expect.getState().currentTestName ?? '?'}`));
afterEach(() => {
  check();
  mark(`${current} (afterEach)`);
});
afterAll(() => {
  // Last in the stack of afterAll hooks: a block in the file's own afterAll has just ended.
  since.add(`${file} (afterAll)`);
  check();
  realClearInterval(timer);
});
