// `meridian ads import`: imports a platform export into the store with a summary, refuses a bad
// platform or a report with unreadable rows with a clear message, and imports nothing then.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../src/storage/index.js';

const run = promisify(execFile);
const cli = (dataDir: string, ...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', '--data-dir', dataDir, ...args], { cwd: process.cwd() });
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/ad-reports/${name}`, import.meta.url));
const failure = (p: Promise<unknown>) => p.then(() => expect.fail('the command should fail'), (err: { code: number; stderr: string; stdout: string }) => err);

describe('meridian ads import (CLI)', () => {
  let dir: string;
  let dataDir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'meridian-ads-cli-'));
    dataDir = join(dir, 'data');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const spend = async () => {
    const storage = await openStorage({ dataDir });
    try {
      return await storage.db.selectFrom('campaign_spend').select(['channel', 'day', 'campaign_name', 'cost_micros', 'currency']).orderBy('day').orderBy('campaign_name').execute();
    } finally {
      await storage.close();
    }
  };

  it('imports a Google Ads export and prints a summary', async () => {
    const out = await cli(dataDir, 'ads', 'import', fixture('google_ads.csv'), '--platform', 'google_ads');
    expect(JSON.parse(out.stdout.trim())).toEqual({ platform: 'google_ads', rows: 2, skipped: 1, from: '2026-03-01', to: '2026-03-02' });
    expect(out.stderr).toMatch(/google_ads: 2 campaign-days stored \(2026-03-01 to 2026-03-02\), 1 total or empty lines skipped/);
    expect(await spend()).toEqual([
      { channel: 'google_ads', day: '2026-03-01', campaign_name: 'spring_sale_search', cost_micros: 1_034_560_000, currency: 'USD' },
      { channel: 'google_ads', day: '2026-03-02', campaign_name: 'spring_sale_search', cost_micros: 987_100_000, currency: 'USD' },
    ]);
  });

  it('refuses an unknown platform, listing the platforms', async () => {
    const err = await failure(cli(dataDir, 'ads', 'import', fixture('meta.csv'), '--platform', 'tiktok'));
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/--platform must be one of baidu, oceanengine, kuaishou, meta, google_ads/);
  });

  it('refuses a report with unreadable rows whole, naming each row', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'Day,Campaign,Currency code,Cost\n2026-04-01,a,USD,12\n2026-13-01,b,USD,3\n');
    const err = await failure(cli(dataDir, 'ads', 'import', file, '--platform', 'google_ads'));
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/1 rows cannot be read/);
    expect(err.stderr).toMatch(/row 3: /);
    expect(err.stderr).toMatch(/nothing was imported/);
    expect((await spend()).some((r) => r.day === '2026-04-01')).toBe(false);
  });

  it('says which columns are missing when the file is another platform’s export, and when the file does not exist', async () => {
    const wrong = await failure(cli(dataDir, 'ads', 'import', fixture('meta.csv'), '--platform', 'baidu'));
    expect(wrong.stderr).toMatch(/not a baidu report: no header row with 日期/);
    const missing = await failure(cli(dataDir, 'ads', 'import', join(dir, 'nope.csv'), '--platform', 'meta'));
    expect(missing.stderr).toMatch(/cannot read .*nope\.csv: no such file/);
  });

  it('documents its options in --help', async () => {
    const help = await cli(dataDir, 'ads', 'import', '--help');
    expect(help.stdout).toMatch(/--platform <platform>/);
    expect(help.stdout).toMatch(/--currency <code>/);
    expect(help.stdout).toMatch(/--account <id>/);
  });
});
