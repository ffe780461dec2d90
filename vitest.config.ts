import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Names any test that blocks its worker's event loop for long (the cause of `Timeout calling "onTaskUpdate"`).
    setupFiles: ['test/helpers/loop-watch.ts'],
    // Timeouts catch hangs, not slowness: on a shared 2-core machine under load a server start took 15 s and a
    // 12,000-row import test over 30 s. Tests that run longer by design (crash/restart runs, browser builds) say so.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    // Two cores here: a couple of workers keeps servers started by tests from starving each other.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    pool: 'forks',
    // A worker keeps its loaded modules from one test file to the next instead of importing the whole
    // source tree again for each of ~100 files (vitest's "collect" time: 170 s of a 12.7 min run on
    // this machine), and reuses the route schemas compiled by the first server it started
    // (src/http/schema-compilers.ts). Tests share no state through modules: each starts its own servers
    // and stores; none mocks modules or stubs globals.
    isolate: false,
    // better-sqlite3 reads this once per process, at its first open: the embedded store attaches its
    // log file read-only through a `file:` URI (src/storage/open.ts sets it too, for the server).
    env: { SQLITE_USE_URI: '1' },
  },
});
