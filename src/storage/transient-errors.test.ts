import { describe, expect, it } from 'vitest';
import { isTransientError } from './transient-errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isTransientError', () => {
  it('retries a busy store, a lost connection and PostgreSQL serialization failures', () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'ECONNRESET', 'ECONNREFUSED', '40001', '40P01', '57P01', '08006'])
      expect(isTransientError(withCode(code)), code).toBe(true);
    expect(isTransientError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientError(new Error('wrapped', { cause: withCode('ECONNRESET') }))).toBe(true);
  });

  it('does not retry errors about the item or the code', () => {
    for (const err of [new Error('poison'), withCode('23505', 'duplicate key'), withCode('SQLITE_CONSTRAINT'), new TypeError('x is undefined'), 'a string', null])
      expect(isTransientError(err), String(err)).toBe(false);
  });
});
