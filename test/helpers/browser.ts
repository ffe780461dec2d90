// One way to start a browser for tests: Debian's Chromium through playwright-core, headless. Tests
// that need it skip, saying why, where /usr/bin/chromium is not installed.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[meridian tests] ${CHROMIUM} is not installed: browser tests are SKIPPED (apt-get install chromium)`);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Everything a page reports going wrong: console errors (CORS refusals among them), uncaught errors, error answers, failed requests. */
export function collectPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return problems;
}

/** Where browser tests save screenshots (gitignored). */
export function screenshotPath(name: string) {
  mkdirSync('test-results', { recursive: true });
  return `test-results/${name}.png`;
}

/** Signs the page in with an API key (the sign-in form's "With an API key" tab) and waits for the overview. */
export async function signInWithApiKey(page: Page, serverUrl: string, key: string): Promise<void> {
  await page.goto(serverUrl + '/sign-in');
  await page.getByRole('tab', { name: 'With an API key' }).click();
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/overview');
}
