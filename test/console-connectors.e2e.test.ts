// The source connectors' pages in Chromium against a real server: an IoT source subscribed to the
// real MQTT broker (its status turns to connected and counts a published message), a CRM source synced
// from a real PostgreSQL table ("Run now" reports the rows it read, the customers appear), and an ad
// platform source importing Meta's report export (its campaign and spend in the table).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/server.js';
import { adminApi } from './helpers/admin-api.js';
import { hasChromium, launchBrowser, screenshotPath, signInWithApiKey } from './helpers/browser.js';
import { ensureConsoleBuilt } from './helpers/console-build.js';
import { eventually } from './helpers/eventually.js';

const mqttUrl = process.env.MERIDIAN_TEST_MQTT_URL;
const pgUrl = process.env.MERIDIAN_TEST_DATABASE_URL;
if (!mqttUrl) console.warn('[meridian tests] MERIDIAN_TEST_MQTT_URL is not set: the console MQTT page test is SKIPPED');
if (!pgUrl) console.warn('[meridian tests] MERIDIAN_TEST_DATABASE_URL is not set: the console database sync page test is SKIPPED');

describe.skipIf(!hasChromium)('source connector pages in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const admin = adminApi(() => server);
  const shot = (name: string) => page.screenshot({ path: screenshotPath(`console-${name}`), fullPage: true });
  const createSource = async (name: string, type: string) => (await admin.call('POST', '/v1/sources', { name, type })).body as { id: string };

  beforeAll(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer();
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' })).newPage();
    page.setDefaultTimeout(15_000);
    await signInWithApiKey(page, server.url, ADMIN_KEY);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.skipIf(!mqttUrl)('subscribes an IoT source to the broker and counts what the devices publish', async () => {
    const source = await createSource('Thermostats', 'iot');
    const topic = `meridian-console-${randomBytes(4).toString('hex')}`;
    await page.goto(`${server.url}/sources/${source.id}?tab=mqtt`);
    await page.getByText('not subscribed to any MQTT broker yet').waitFor();
    await page.getByLabel('Broker URL').fill(mqttUrl!);
    // The topics box is a tag input: the default topic is replaced by this test's own.
    await page.locator('.ant-select-selection-item-remove').first().click();
    await page.getByLabel('Topics').fill(`${topic}/+/telemetry`);
    await page.getByLabel('Topics').press('Enter');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Connected', { exact: true }).waitFor();
    const client = await mqtt.connectAsync(mqttUrl!);
    await client.publishAsync(`${topic}/dev-7/telemetry`, JSON.stringify({ temperature: 21.5 }), { qos: 1 });
    await client.endAsync();
    await eventually(async () => expect(await page.locator('tr').filter({ hasText: 'Messages received' }).textContent()).toMatch(/Messages received\s*1$/), 15_000, 500);
    await shot('source-mqtt-en');
  });

  it.skipIf(!pgUrl)('syncs a CRM table from PostgreSQL and reports the run', async () => {
    const schema = `console_sync_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`CREATE TABLE ${schema}.customers (id SERIAL PRIMARY KEY, email TEXT, plan TEXT, updated_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      await client.query(`INSERT INTO ${schema}.customers (email, plan) VALUES ('li@example.com', 'gold'), ('wang@example.com', 'silver')`);
      const source = await createSource('CRM', 'crm');
      await page.goto(`${server.url}/sources/${source.id}?tab=dbSync`);
      await page.getByText('does not sync a database yet').waitFor();
      await page.getByLabel('Connection URL').fill(pgUrl!);
      await page.getByRole('textbox', { name: 'Table' }).fill(`${schema}.customers`);
      await page.getByRole('button', { name: 'Save' }).click();
      // Saving starts the sync: its first run reads both rows, and they become profiles with their traits.
      const profile = await eventually(async () => {
        const found = await admin.get('/v1/profiles/email/li@example.com');
        expect(found.status).toBe(200);
        return found.body as { traits: Record<string, { value: unknown }> };
      });
      expect(profile.traits).toMatchObject({ plan: { value: 'gold' } });
      await page.getByText('"id":2').waitFor();
      // A row added later is read by "Run now", without waiting for the interval.
      await client.query(`INSERT INTO ${schema}.customers (email, plan) VALUES ('chen@example.com', 'gold')`);
      await page.getByRole('button', { name: 'Run now' }).click();
      await page.getByText('Rows read: 1; accepted: 1, duplicates: 0, failed: 0.').waitFor();
      await shot('source-db-sync-en');
    } finally {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    }
  });

  it("imports an ad platform's report export and lists each campaign's spend", async () => {
    const source = await createSource('Meta ads', 'ads');
    await page.goto(`${server.url}/sources/${source.id}?tab=adReports`);
    await page.getByText('No spend in this range').waitFor();
    const csv = readFileSync(new URL('./fixtures/ad-reports/meta.csv', import.meta.url));
    await page.locator('input[type=file]').setInputFiles({ name: 'meta.csv', mimeType: 'text/csv', buffer: csv });
    await page.getByText(/Imported 2 rows/).waitFor();
    // The report is from 2026-03: pick a range around it.
    await page.getByPlaceholder('Start date').fill('2026-03-01');
    await page.getByPlaceholder('End date').fill('2026-03-31');
    await page.getByPlaceholder('End date').press('Enter');
    await page.getByRole('cell', { name: 'Spring Sale - Prospecting' }).first().waitFor();
    expect(await page.locator('.ant-table-tbody').textContent()).toContain('$412.37');
    await shot('source-ad-spend-en');
  });
});
