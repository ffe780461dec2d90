// The console end to end, in Chromium against a real server: sign in → create a source → send events
// with the Segment Node SDK → see them in the live debugger → find the customer by email → build the
// audience "Order Completed with total ≥ 100 in the last 90 days" and see its count → switch to
// 繁體中文 and 简体中文. Screenshots of the main pages go to test-results/.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Analytics } from '@segment/analytics-node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/server.js';
import { hasChromium, launchBrowser, screenshotPath } from './helpers/browser.js';
import { ensureConsoleBuilt } from './helpers/console-build.js';

const DAY = 86_400_000;

describe.skipIf(!hasChromium)('console in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: screenshotPath(`console-${name}`), fullPage: true });

  beforeAll(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer();
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens an Ant Design select by its label and picks the option with this text. */
  async function choose(label: string, option: string, nth = 0) {
    await page.getByLabel(label, { exact: true }).nth(nth).click();
    const item = page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: new RegExp(`^${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
    await item.waitFor();
    // A click during the dropdown's opening animation can miss the moving option (the dropdown then
    // closes with nothing chosen): wait until the animation is over, then click as a person would.
    await page.waitForFunction(() => !document.querySelector('.ant-select-dropdown[class*="-enter"], .ant-select-dropdown[class*="-appear"]'));
    await item.click();
  }

  it('signs in with an API key; a wrong key is refused in words', async () => {
    await page.goto(server.url + '/');
    await page.waitForURL('**/sign-in');
    await page.getByRole('tab', { name: 'With an API key' }).click();
    await page.getByLabel('API key', { exact: true }).fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('unknown or has been revoked');
    await page.getByLabel('API key', { exact: true }).fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/overview');
    await page.getByText('Customer profiles').waitFor();
    await shot('overview-en');
  });

  let writeKey = '';
  it('creates a source and shows its write key once, with install snippets', async () => {
    await page.getByRole('link', { name: 'Sources' }).click();
    await page.getByRole('button', { name: 'Connect a source' }).first().click();
    await page.getByLabel('Name').fill('Web shop');
    await page.getByRole('button', { name: 'Create and get the write key' }).click();
    writeKey = (await page.getByTestId('write-key').textContent())!.trim();
    expect(writeKey.length).toBeGreaterThan(10);
    expect(await page.locator('pre').first().textContent()).toContain(writeKey);
    await shot('source-install-en');
  });

  it('shows events sent with the Segment Node SDK in the live debugger', async () => {
    await page.getByRole('tab', { name: 'Live events' }).click();
    await page.getByText('Listening for events').waitFor();
    const analytics = new Analytics({ writeKey, host: server.url, path: '/v1/batch', flushAt: 100, flushInterval: 60_000, maxRetries: 0 });
    const ago = (days: number) => new Date(Date.now() - days * DAY);
    analytics.identify({ userId: 'ana-1', traits: { email: 'ana@example.com', name: 'Ana Lima', plan: 'pro' } });
    analytics.track({ userId: 'ana-1', event: 'Order Completed', properties: { total: 150, currency: 'EUR' }, timestamp: ago(10) });
    analytics.identify({ userId: 'bob-1', traits: { email: 'bob@example.com' } });
    analytics.track({ userId: 'bob-1', event: 'Order Completed', properties: { total: 40 }, timestamp: ago(5) });
    analytics.identify({ userId: 'cy-1', traits: { email: 'cy@example.com' } });
    analytics.track({ userId: 'cy-1', event: 'Order Completed', properties: { total: 300 }, timestamp: ago(200) });
    await analytics.closeAndFlush({ timeout: 10_000 });
    const live = page.getByTestId('live-events');
    await expect.poll(async () => (await live.locator('.ant-list-item').count())).toBe(6);
    expect(await live.textContent()).toContain('Order Completed');
    await live.locator('.ant-list-item').filter({ hasText: 'Order Completed' }).first().click();
    expect(await page.locator('pre').last().textContent()).toContain('"total"');
    await shot('source-live-en');
    await page.keyboard.press('Escape');
    // Closed (its motion ended) before going on: the drawer gives focus back to what opened it as it closes.
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    // The stored history lists the same six events, paged; nothing was refused.
    await page.getByRole('tab', { name: 'Event history' }).click();
    // The Node SDK's message ids start with "node-next".
    const history = page.getByRole('row').filter({ hasText: 'node-next' });
    await expect.poll(() => history.count()).toBe(6);
    expect(await history.filter({ hasText: 'Order Completed' }).count()).toBe(3);
    await page.getByRole('tab', { name: 'Failed events' }).click();
    await page.getByText('No failed events. Everything sent to this source was accepted.').waitFor();
  });

  it('finds the customer by email and shows the 360° profile', async () => {
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByLabel('Search', { exact: true }).fill('ana@example.com');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Ana Lima' }).click();
    await page.getByTestId('identities').getByText('email: ana@example.com').waitFor();
    await page.getByText('Order Completed').first().waitFor();
    await page.getByText('Web shop').first().waitFor();
    await shot('customer-en');
  });

  it("pages and filters the customer's timeline; each entry shows its source and messageId", async () => {
    // 30 product views from a second source (a store app), 20 to 49 days ago: with the SDK's 2 events, 32 entries.
    const app = await server.createSource('Store app');
    const batch = Array.from({ length: 30 }, (_, i) => ({
      type: 'track',
      userId: 'ana-1',
      event: 'Product Viewed',
      messageId: `app-view-${i}`,
      properties: { sku: `SKU-${i}` },
      timestamp: new Date(Date.now() - (20 + i) * DAY).toISOString(),
    }));
    const sent = await fetch(server.url + '/v1/batch', {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(app.writeKey + ':').toString('base64'), 'content-type': 'application/json' },
      body: JSON.stringify({ batch }),
    });
    expect(sent.status).toBe(200);
    const entries = async () => ((await (await server.admin('/v1/profiles/email/ana%40example.com/events?limit=100')).json()) as { data: unknown[] }).data.length;
    await expect.poll(entries, { timeout: 15_000 }).toBe(32);
    // By email: events older than the profile's first one give it a new (earlier-dated) id, so the page's
    // /customers/profile/<id> address from the search no longer finds it.
    await page.goto(server.url + '/customers/email/ana%40example.com');
    await page.getByTestId('timeline-entry').first().waitFor();
    const rows = page.getByTestId('timeline-entry');
    const timeline = page.getByTestId('timeline');
    // The source box is searchable: type the name and take the match with Enter, as a keyboard user does.
    const pickSource = async (name: string) => {
      const box = page.getByLabel('Source', { exact: true });
      await box.click();
      await box.fill(name);
      await page.keyboard.press('Enter');
    };
    // Newest first, pages of 25 through the API's cursors.
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(25);
    expect(await rows.first().textContent()).toContain('Web shop');
    expect(await rows.filter({ hasText: 'app-view-0' }).textContent()).toContain('Store app');
    await timeline.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(7);
    expect(await rows.last().textContent()).toContain('app-view-29');
    await timeline.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(25);
    // By source: the web shop sent the identify and the order.
    await pickSource('Web shop');
    await timeline.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
    const order = rows.filter({ hasText: 'Order Completed' });
    expect(await order.textContent()).toMatch(/node-next/);
    // The entry opens its raw event's messageId, source and log position.
    await order.click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText('Log position').waitFor();
    expect(await drawer.textContent()).toContain('"total": 150');
    await page.keyboard.press('Escape');
    // Wait for the close to end: as it ends the drawer gives focus back to the entry, and an Enter typed
    // before that (the source box below) would open the entry again (a CI run on a loaded machine saw it).
    await drawer.waitFor({ state: 'hidden' });
    // By source, event name and period: the store app's views of the last 30 days are the 11 from 20 to 30 days ago.
    await pickSource('Store app');
    await page.getByLabel('Event', { exact: true }).fill('Product Viewed');
    const day = (d: number) => new Date(Date.now() - d * DAY).toISOString().slice(0, 10);
    await page.getByPlaceholder('Start date').click();
    await page.getByPlaceholder('Start date').fill(day(30));
    await page.keyboard.press('Enter');
    await page.getByPlaceholder('End date').fill(day(0));
    await page.keyboard.press('Enter');
    await timeline.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(11);
    expect(await timeline.textContent()).not.toContain('Order Completed');
    // Nothing matches: say so and offer the way back.
    await page.getByLabel('Event', { exact: true }).fill('Refund Issued');
    await timeline.getByRole('button', { name: 'Filter', exact: true }).click();
    await timeline.getByText('No events match.').waitFor();
    await timeline.getByRole('button', { name: 'Clear the filters' }).click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(25);
    await shot('customer-timeline-en');
  });

  it('builds "Order Completed with total ≥ 100 in the last 90 days" and previews its count', async () => {
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('button', { name: 'Create a segment' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('Big spenders, 90 days');
    await page.getByLabel('Event name').fill('Order Completed');
    await page.getByRole('button', { name: 'Add property filter' }).click();
    await page.getByLabel('Property', { exact: true }).fill('total');
    await choose('Operator', '≥');
    await page.getByLabel('Value', { exact: true }).fill('100');
    await choose('Time window', 'in the last');
    await page.getByLabel('Amount').fill('90');
    await page.getByTestId('preview-button').click();
    await expect.poll(() => page.getByTestId('preview-count').textContent()).toBe('1');
    await shot('segment-builder-en');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByText('Members').first().waitFor();
    await expect.poll(async () => (await server.admin('/v1/segments').then((r) => r.json())).data[0]?.memberCount).toBe(1);
  });

  it('connects a webhook destination and tests it', async () => {
    const received: string[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => (received.push(body), res.end('ok')));
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      await page.getByRole('link', { name: 'Destinations' }).click();
      await page.getByRole('button', { name: 'Connect a destination' }).first().click();
      await page.getByLabel('Name', { exact: true }).fill('Orders hook');
      await page.getByLabel('URL', { exact: true }).fill(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`);
      await shot('destination-new-en');
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.getByText(/Test succeeded/).waitFor();
      expect(received.length).toBeGreaterThan(0);
      await page.getByRole('tab', { name: 'Dead letters' }).click();
      await page.getByText('No dead letters').waitFor();
      await shot('destination-en');
    } finally {
      hook.close();
    }
  });

  it('shows the identity rules in settings', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByText('Identity resolution').first().waitFor();
    await page.locator('input[value="email"]').first().waitFor();
    await shot('settings-en');
  });

  it('switches to 繁體中文 and 简体中文: navigation and main buttons are translated, and the choice is kept', async () => {
    await page.getByRole('link', { name: 'Segments' }).click();
    await choose('Language', '繁體中文');
    const nav = page.getByRole('navigation').or(page.locator('.ant-layout-sider'));
    for (const label of ['總覽', '資料來源', '客戶', '分群', '目的地', '設定']) await nav.getByText(label, { exact: true }).waitFor();
    await page.getByRole('button', { name: '建立分群' }).first().waitFor();
    await page.getByRole('button', { name: '登出' }).waitFor();
    await shot('segments-zh-TW');
    await page.getByRole('link', { name: '客戶' }).click();
    await page.getByRole('button', { name: '搜尋' }).waitFor();
    await page.reload();
    await page.getByRole('link', { name: '資料來源' }).waitFor();
    // The page itself too: its search box takes the focus when it arrives, which would close an open dropdown.
    await page.getByRole('button', { name: '搜尋' }).waitFor();

    await choose('語言', '简体中文');
    for (const label of ['概览', '数据来源', '客户', '分群', '目的地', '设置']) await nav.getByText(label, { exact: true }).waitFor();
    await page.getByRole('button', { name: '搜索' }).waitFor();
    await page.getByRole('link', { name: '数据来源' }).click();
    await page.getByRole('button', { name: '接入数据来源' }).first().waitFor();
    await shot('sources-zh-CN');
    await page.getByRole('link', { name: '概览' }).click();
    await page.getByText('客户档案').waitFor();
    await page.locator('canvas').first().waitFor();
    await shot('overview-zh-CN');
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL('**/sign-in');
  });

  it('shows a support agent only the sections their role may use', async () => {
    const support = await server.meridian.apiKeys.create('agent', 'support');
    await page.getByRole('tab', { name: '使用 API 密钥' }).click();
    await page.getByLabel('API 密钥', { exact: true }).fill(support.key);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL('**/customers');
    const nav = page.locator('.ant-layout-sider');
    await nav.getByText('客户', { exact: true }).waitFor();
    expect((await nav.locator('.ant-menu-item').allTextContents()).map((s) => s.trim())).toEqual(['客户', '目的地']);
  });
});
