// Polls an assertion until it passes or the time is up (for effects of background workers).
// The default wait is long (a passing check returns at once): background work on a loaded 2-core machine
// has taken several times its quiet-machine time. A test that means "within N s" passes its own timeout.
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 60_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
