// `meridian import` flags: a dry run writes the per-row error report and appends nothing; the real
// run then imports the valid rows and reports the same problems.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../src/storage/index.js';

const run = promisify(execFile);
const cli = (dataDir: string, ...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', '--data-dir', dataDir, ...args], { cwd: process.cwd() });

describe('meridian import (CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'meridian-import-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('dry-runs with an error report, then imports the valid rows', async () => {
    const dataDir = join(dir, 'data');
    const file = join(dir, 'customers.csv');
    writeFileSync(file, ['id;email;joined', 'u1;u1@example.com;2019-01-02', ';nobody@example.com;2019-01-03', 'u3;u3@example.com;03/01/2019'].join('\n'));
    const mapping = join(dir, 'mapping.json');
    writeFileSync(mapping, JSON.stringify({ delimiter: ';', fields: { id: 'userId', email: 'email', joined: { to: 'traits.joined_at', type: 'date', format: 'YYYY-MM-DD' } } }));
    const source = JSON.parse((await cli(dataDir, 'sources', 'create', '--name', 'crm', '--json')).stdout) as { id: string };

    const report = join(dir, 'problems.csv');
    const dry = await cli(dataDir, 'import', file, '--source', source.id, '--mapping', mapping, '--kind', 'profiles', '--dry-run', '--error-report', report);
    expect(JSON.parse(dry.stdout.trim())).toMatchObject({ status: 'completed', dryRun: true, rowsDone: 3, imported: 1, failedRows: 2 });
    expect(dry.stderr).toMatch(/error report: .*problems\.csv \(2 errors\)/);
    expect(readFileSync(report, 'utf8').trim().split('\n')).toEqual([
      'row,column,code,message',
      '2,id,missing_identity,userId or anonymousId is required',
      '3,joined,invalid_date,"joined: ""03/01/2019"" is not a date in YYYY-MM-DD format"',
    ]);

    const real = await cli(dataDir, 'import', file, '--source', source.id, '--mapping', mapping, '--kind', 'profiles');
    expect(JSON.parse(real.stdout.trim())).toMatchObject({ status: 'completed', dryRun: false, imported: 1, failedRows: 2 });
    const storage = await openStorage({ dataDir });
    try {
      const events = await storage.db.selectFrom('events').select(['type', 'user_id']).where('source_id', '=', source.id).execute();
      expect(events).toEqual([{ type: 'identify', user_id: 'u1' }]);
    } finally {
      await storage.close();
    }
  });
});
