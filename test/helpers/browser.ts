// The one way browser tests start Chromium: Debian's /usr/bin/chromium, headless, through playwright-core.
// Tests skip (visibly) when it is not installed.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[browser tests] skipped: ${CHROMIUM} is not installed`);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Where browser tests save screenshots (gitignored). */
export function screenshotPath(name: string) {
  mkdirSync('test-results', { recursive: true });
  return `test-results/${name}.png`;
}
