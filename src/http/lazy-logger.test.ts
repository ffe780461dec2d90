import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyChildLoggerFactory } from './lazy-logger.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  const parent = pino({ level }, stream);
  const child = (options = {}) => lazyChildLoggerFactory(parent as never, { reqId: 'req-1' }, options) as unknown as pino.Logger;
  return { lines, parent, child };
}

describe('lazy request logger', () => {
  it('writes what a pino child writes, bindings included, and nothing below the level', () => {
    const { lines, child } = capture('warn');
    const log = child();
    log.info({ a: 1 }, 'not written');
    log.debug('not written either');
    expect(lines).toHaveLength(0);
    log.warn({ a: 2 }, 'written');
    log.error(new Error('boom'));
    expect(lines).toMatchObject([
      { level: 40, reqId: 'req-1', a: 2, msg: 'written' },
      { level: 50, reqId: 'req-1', err: { message: 'boom' } },
    ]);
  });

  it('follows its parent level until built, and a level given in its options', () => {
    const { lines, parent, child } = capture('warn');
    const log = child();
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.level).toBe('warn');
    parent.level = 'info';
    expect(log.isLevelEnabled('info')).toBe(true);
    log.info('now written');
    expect(lines).toMatchObject([{ level: 30, reqId: 'req-1', msg: 'now written' }]);
    const quiet = child({ level: 'error' });
    expect(quiet.level).toBe('error');
    quiet.warn('below its own level');
    expect(lines).toHaveLength(1);
    // A grandchild (what a plugin may ask for) is a real pino child with both bindings.
    log.child({ job: 'j' }).info('grandchild');
    expect(lines[1]).toMatchObject({ reqId: 'req-1', job: 'j', msg: 'grandchild' });
  });

  it('answers a route level (Fastify `logLevel`) without building the pino child, and writes at it', () => {
    const { lines, parent, child } = capture('info');
    const build = vi.spyOn(parent, 'child');
    const route = child({ level: 'warn' });
    expect(route.isLevelEnabled('info')).toBe(false);
    expect(route.isLevelEnabled('warn')).toBe(true);
    expect(route.isLevelEnabled('error')).toBe(true);
    route.info('not written at a warn route');
    expect(build).not.toHaveBeenCalled();
    expect(lines).toHaveLength(0);
    route.warn('written');
    expect(build).toHaveBeenCalledTimes(1);
    expect(lines).toMatchObject([{ level: 40, reqId: 'req-1', msg: 'written' }]);
    const silent = child({ level: 'silent' });
    expect(silent.isLevelEnabled('fatal')).toBe(false);
    const verbose = child({ level: 'trace' });
    expect(verbose.isLevelEnabled('trace')).toBe(true);
  });
});
