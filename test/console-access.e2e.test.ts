// Access in the browser, against a real server: the owner signs in with email and password (a cookie
// session under the console's Content-Security-Policy), adds a support agent in Settings → Users,
// creates an API key (shown once) and sees the audit log record it with the hash chain intact; the
// agent then signs in with their password and sees only the sections their role may use.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, startTestServer, type TestServer } from './helpers/server.js';
import { hasChromium, launchBrowser, screenshotPath } from './helpers/browser.js';
import { ensureConsoleBuilt } from './helpers/console-build.js';

describe.skipIf(!hasChromium)('console access in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];
  const shot = (name: string) => page.screenshot({ path: screenshotPath(`console-access-${name}`), fullPage: true });

  beforeAll(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer();
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signInWithPassword(email: string, password: string) {
    await page.goto(server.url + '/');
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain('/sign-in');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('refuses a wrong password in words, then signs the owner in', async () => {
    await signInWithPassword(OWNER.email, 'not-the-password');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('email or password is wrong');
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/overview');
    await page.getByText(OWNER.email).waitFor();
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'meridian_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  });

  it('adds a support agent in Settings → Users', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog');
    // Keyboard: Escape closes a dialog, Enter in a field submits its form.
    await dialog.getByLabel('Email', { exact: true }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Add user' }).click();
    await dialog.getByLabel('Email', { exact: true }).fill('agent@test.example');
    await dialog.getByLabel('Role', { exact: true }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: /^Support$/ }).click();
    await dialog.getByLabel('Password', { exact: true }).fill('agent-password-123');
    await dialog.getByLabel('Password', { exact: true }).press('Enter');
    await page.getByText('agent@test.example can now sign in.').waitFor();
    await page.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('cell', { name: 'agent@test.example' }).waitFor();
    // The list's filter box: a filter that matches nobody says so and offers the way back.
    await page.getByPlaceholder('Filter by email, name or role').fill('nobody-like-this');
    await page.getByText('Nothing matches “nobody-like-this”.').waitFor();
    await page.getByRole('button', { name: 'Clear the filter' }).click();
    await page.getByRole('cell', { name: 'agent@test.example' }).waitFor();
    await shot('users');
  });

  it('creates an API key, shown once, and finds it in the audit log with the chain intact', async () => {
    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByRole('button', { name: 'New API key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('warehouse export');
    await dialog.getByRole('button', { name: 'New API key' }).click();
    const key = (await page.getByTestId('secret-once').textContent())!.trim();
    expect(key).toMatch(/^mk_/);
    await page.getByRole('dialog').filter({ has: page.getByTestId('secret-once') }).getByRole('button', { name: 'OK' }).click();
    const me = await fetch(server.url + '/v1/me', { headers: { authorization: `Bearer ${key}` } });
    expect(((await me.json()) as any).role).toBe('read-only');

    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByTestId('chain-status').getByText(/Hash chain intact/).waitFor();
    await page.getByRole('cell', { name: 'POST /v1/api-keys' }).first().waitFor();
    await page.getByRole('cell', { name: 'POST /v1/users' }).first().waitFor();
    await shot('audit');
  });

  it('shows the support agent only customers and destinations', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    // A client-side navigation after the session is ended on the server.
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain('/sign-in');
    await page.getByLabel('Email', { exact: true }).waitFor();
    expect((await page.context().cookies()).find((c) => c.name === 'meridian_session')).toBeUndefined();
    await signInWithPassword('agent@test.example', 'agent-password-123');
    await page.waitForURL('**/customers');
    const nav = page.locator('.ant-layout-sider');
    await nav.getByText('Customers', { exact: true }).waitFor();
    expect((await nav.locator('.ant-menu-item').allTextContents()).map((s) => s.trim())).toEqual(['Customers', 'Destinations']);
    // Settings is not theirs: the address leads back home (a reload of the cached console, under its CSP).
    await page.goto(server.url + '/settings');
    await page.waitForURL('**/customers');
    await shot('support');
    expect(cspViolations).toEqual([]);
  });
});
