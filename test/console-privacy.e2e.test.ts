// The privacy pages in Chromium against a real server: Settings → Consent categories (add one), the
// consent card on a customer (a grant recorded through the page reaches the API), Privacy requests
// (file an access request, watch it complete, download its export), and Settings → Encryption (rotate
// the field-encryption keys and watch the re-encryption finish). The server runs with a KEK.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, track, type TestServer } from './helpers/server.js';
import { adminApi } from './helpers/admin-api.js';
import { collectPageProblems, hasChromium, launchBrowser, screenshotPath, signInWithApiKey } from './helpers/browser.js';
import { ensureConsoleBuilt } from './helpers/console-build.js';
import { eventually } from './helpers/eventually.js';

const EMAIL = 'mei.lin@example.com';
const KEK = 'c'.repeat(64);

describe.skipIf(!hasChromium)('privacy pages in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const admin = adminApi(() => server);
  const shot = (name: string) => page.screenshot({ path: screenshotPath(`console-${name}`), fullPage: true });

  beforeAll(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer({ config: { kek: KEK } });
    const source = await server.createSource('web');
    await track(server.url, source.writeKey, '/v1/identify', { userId: 'u-mei', traits: { email: EMAIL, name: 'Mei Lin' }, context: { consent: { categoryPreferences: { analytics: true } } } });
    await server.meridian.drainPipeline();
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US', acceptDownloads: true })).newPage();
    page.setDefaultTimeout(15_000);
    problems = collectPageProblems(page);
    await signInWithApiKey(page, server.url, ADMIN_KEY);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('adds a consent category in Settings', async () => {
    await page.goto(`${server.url}/settings`);
    await page.getByRole('tab', { name: 'Consent categories' }).click();
    await page.getByText('advertising', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Add category' }).click();
    await page.getByLabel('Category id').fill('personalization');
    await page.getByLabel('Name', { exact: true }).fill('Personalization');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('personalization', { exact: true }).waitFor();
    await shot('consent-categories');
    expect((await admin.get('/v1/consent/categories/personalization')).body.name).toBe('Personalization');
  });

  it('shows and records consent on the customer card', async () => {
    await page.goto(`${server.url}/customers/email/${encodeURIComponent(EMAIL)}`);
    const card = page.locator('.ant-card').filter({ hasText: 'Consent' }).first();
    await card.getByText('Granted').first().waitFor();
    await card.getByLabel('Consent for Marketing').click();
    await page.getByText('Consent recorded').waitFor();
    await shot('customer-consent');
    await eventually(async () => expect((await admin.get(`/v1/profiles/email/${encodeURIComponent(EMAIL)}/consent`)).body.preferences).toMatchObject({ analytics: true, marketing: true }));
  });

  it('files an access request, shows its progress to completion and downloads the export', async () => {
    await page.goto(`${server.url}/privacy`);
    await page.getByText('No privacy requests yet.').waitFor();
    await page.getByRole('button', { name: 'New request' }).click();
    await page.getByLabel('Identifier value').fill(EMAIL);
    await page.getByRole('button', { name: 'File request' }).click();
    await page.getByText('Completed', { exact: true }).waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download export' }).click()]);
    const doc = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(doc.identifiers).toEqual(expect.arrayContaining([{ type: 'email', value: EMAIL }]));
    await shot('privacy-requests');
  });

  it('rotates the field-encryption keys in Settings and shows the re-encryption to its end', async () => {
    const before = (await admin.get('/v1/privacy/keys')).body as { kekId: string; activeKeyId: string; keys: unknown[] };
    await page.goto(`${server.url}/settings`);
    await page.getByRole('tab', { name: 'Encryption' }).click();
    await page.getByText(before.kekId, { exact: true }).first().waitFor();
    await page.getByRole('button', { name: 'Rotate keys' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByText('Rotation started').waitFor();
    await page.getByTestId('reencryption-progress').getByText(/^Done/).waitFor({ timeout: 30_000 });
    const after = (await admin.get('/v1/privacy/keys')).body as { activeKeyId: string; keys: unknown[]; reencryption: { remaining: number } };
    expect(after.activeKeyId).not.toBe(before.activeKeyId);
    expect(after.keys.length).toBe(before.keys.length + 1);
    expect(after.reencryption.remaining).toBe(0);
    // The new active key is the one the page marks active.
    expect(await page.locator('.ant-table-row').filter({ hasText: 'Active' }).textContent()).toContain(after.activeKeyId);
    await shot('settings-encryption');
    // No script error on any of the pages (aborted chunk loads on navigation and the profile's absent RFM score are expected).
    expect(problems.filter((p) => p.startsWith('page error'))).toEqual([]);
  });
});
