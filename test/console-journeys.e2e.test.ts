// Journeys and placements in the console, in Chromium against a real server: create a journey from a
// template (choosing its email destination) and see it drawn on the canvas — trigger, steps and the
// branch to the timeout path — validate and activate it; see a placement in the placements page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/server.js';
import { hasChromium, launchBrowser, screenshotPath, signInWithApiKey } from './helpers/browser.js';
import { ensureConsoleBuilt } from './helpers/console-build.js';

describe.skipIf(!hasChromium)('journeys in the console', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer();
    const dest = await server.admin('/v1/destinations', {
      method: 'POST',
      body: JSON.stringify({ name: 'Shop email', kind: 'events', connector: 'smtp', config: { host: '127.0.0.1', port: 2525, from: 'shop@example.com', subject: 'x', text: 'x' }, filter: { events: ['__journeys_only'] } }),
    });
    expect(dest.status, await dest.clone().text()).toBe(201);
    const placement = await server.admin('/v1/placements', { method: 'POST', body: JSON.stringify({ name: 'home_hero', rules: [{ name: 'shoes', conditions: [], content: { banner: 'shoes' } }], default: null }) });
    expect(placement.status).toBe(201);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await signInWithApiKey(page, server.url, ADMIN_KEY);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('creates a journey from a template and sees it on the canvas; validates and activates it', async () => {
    await page.getByRole('link', { name: 'Journeys' }).click();
    await page.getByRole('tab', { name: 'Templates' }).click();
    const card = page.locator('.ant-card').filter({ hasText: 'Browse abandonment' });
    await card.getByRole('button', { name: 'Use this template' }).click();
    await page.getByLabel('Destination for Email', { exact: true }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: 'Shop email' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/journeys\/[^/]+$/);
    // The canvas draws the trigger and every step of the template, with the wait-for-event's two ways on.
    await page.getByTestId('journey-node-__trigger').waitFor();
    expect(await page.getByTestId('journey-node-__trigger').textContent()).toContain('performs an event');
    await page.getByTestId('journey-node-wait-add').waitFor();
    const id = page.url().split('/').pop()!;
    const journey = (await (await server.admin(`/v1/journeys/${id}`)).json()) as { definition: { steps: { id: string }[] }; status: string };
    for (const step of journey.definition.steps) await page.getByTestId(`journey-node-${step.id}`).waitFor();
    expect(await page.locator('.react-flow__edge').count()).toBeGreaterThanOrEqual(journey.definition.steps.length);
    await page.screenshot({ path: screenshotPath('console-journey-canvas'), fullPage: true });

    // The side panel shows the selected step.
    await page.getByTestId('journey-node-wait-add').click();
    await page.locator('.ant-drawer').getByText('Wait for event · wait-add').waitFor();
    await page.locator('.ant-drawer .ant-drawer-close').click();

    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByText('The journey is valid').waitFor();
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    expect(((await (await server.admin(`/v1/journeys/${id}`)).json()) as { status: string }).status).toBe('active');
    // Each step's sends are counted by their outbox outcome as well.
    await page.getByRole('columnheader', { name: 'Delivered' }).waitFor();
    await page.getByRole('columnheader', { name: 'Failed' }).waitFor();

    await page.getByRole('link', { name: 'Journeys' }).click();
    await page.getByRole('tab', { name: 'Journeys' }).click();
    await page.getByRole('link', { name: 'Browse abandonment' }).waitFor();
    expect(await page.locator('.ant-table-row').filter({ hasText: 'Browse abandonment' }).textContent()).toContain('Active');
  });

  it('lists placements with their rules', async () => {
    await page.getByRole('link', { name: 'Placements' }).click();
    // The name shows in the row and again in its rules' summary: wait for the row itself.
    const row = page.locator('.ant-table-row').filter({ hasText: 'home_hero' });
    await row.waitFor();
    expect(await row.textContent()).toContain('shoes');
  });
});
