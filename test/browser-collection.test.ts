// The real web SDKs (@segment/analytics-next, @rudderstack/analytics-js) in headless Chromium, on a
// shop page served from another origin than Meridian: every call is stored once, with the anonymous
// id the SDK keeps in the browser, and the page sees no CORS or network error. Once with explicit SDK
// options, once through what Meridian serves in place of the vendor's CDN (snippet, settings, config).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageProblems, hasChromium, launchBrowser } from './helpers/browser.js';
import { eventually } from './helpers/eventually.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const require = createRequire(import.meta.url);
const LIBS: Record<string, string> = {
  '/lib/segment.js': require.resolve('@segment/analytics-next/dist/umd/index.js'),
  '/lib/rudderstack.js': require.resolve('@rudderstack/analytics-js').replace(/cjs\/index\.cjs$/, 'bundled/umd/index.js'),
};
const SEGMENT_SNIPPET = readFileSync(new URL('./fixtures/browser/segment-snippet.html', import.meta.url), 'utf8');
const RUDDERSTACK_SNIPPET = readFileSync(new URL('./fixtures/browser/rudderstack-snippet.html', import.meta.url), 'utf8');

interface Stored {
  type: string;
  message: Record<string, any>;
}

describe.skipIf(!hasChromium)('browser SDKs on another origin', () => {
  let meridian: TestServer;
  let shop: Server;
  let shopUrl: string;
  let browser: Browser;
  // Pages by path, set by each test: the shop serves whatever the test put there.
  const pages = new Map<string, string>();

  beforeAll(async () => {
    [meridian, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    shop = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      // Chromium asks every site for one; a 404 would show as a console error of the page.
      if (path === '/favicon.ico') return res.writeHead(204).end();
      const lib = LIBS[path];
      const body = lib ? readFileSync(lib) : pages.get(path);
      if (body === undefined) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': lib ? 'application/javascript' : 'text/html; charset=utf-8' }).end(body);
    });
    await new Promise<void>((r) => shop.listen(0, '127.0.0.1', r));
    // Meridian listens on 127.0.0.1 too: another port is another origin, so every call is cross-origin.
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
    expect(new URL(shopUrl).origin).not.toBe(new URL(meridian.url).origin);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => shop?.close(r));
    await meridian?.close();
  });

  const storedOf = async (sourceId: string) =>
    ((await (await meridian.admin(`/v1/events?sourceId=${sourceId}&limit=100`)).json()) as { data: Stored[] }).data;

  /** Opens the page, runs `run` in it (its result: the anonymous id the SDK keeps), waits for one stored event of each type. */
  async function visit(path: string, html: string, sourceId: string, run: (page: Page) => Promise<unknown>) {
    pages.set(path.split('?')[0], html);
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    try {
      await page.goto(shopUrl + path);
      const inPage = await run(page);
      const stored = await eventually(async () => {
        const events = await storedOf(sourceId);
        expect(events.map((e) => e.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'track']);
        return events;
      });
      return { byType: Object.fromEntries(stored.map((e) => [e.type, e.message])), problems, inPage };
    } catch (err) {
      await page.screenshot({ path: `test-results/browser-${path.replace(/\W+/g, '')}.png` }).catch(() => undefined);
      throw new Error(`${(err as Error).message}\npage problems:\n${problems.join('\n')}`);
    } finally {
      await context.close();
    }
  }

  const expectCalls = (byType: Record<string, any>, prefix: string, anonymousId: string, library: string) => {
    for (const m of Object.values(byType)) {
      expect(m.context.library.name).toBe(library);
      expect(m.anonymousId).toBe(anonymousId);
      expect(m.context.userAgent).toMatch(/Chrome/);
      expect(m.context.browser?.name).toMatch(/Chrome/);
      expect(m.context.os?.name).toBe('Linux');
      expect(m.context.page.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    }
    // RudderStack puts identify traits in context.traits, Segment at the top level: both kept as sent.
    expect(byType.identify.traits?.email ?? byType.identify.context.traits?.email).toBe(`${prefix}@shop.example`);
    expect(byType.identify.userId).toBe(`${prefix}-user`);
    expect(byType.track).toMatchObject({ event: 'Order Completed', properties: { total: 99.5 }, userId: `${prefix}-user` });
    expect(byType.group).toMatchObject({ groupId: `${prefix}-acme`, traits: { name: 'Acme' } });
    // analytics-next 1.84.3 sends alias(to) with the current user as userId (and previousId); stored as sent.
    expect(byType.alias).toMatchObject({ previousId: `${prefix}-user`, userId: expect.stringMatching(new RegExp(`^${prefix}-user`)) });
  };

  it('Segment analytics-next with explicit options (npm build) sends every call here', async () => {
    const { id, writeKey } = await meridian.createSource('segment explicit');
    const host = new URL(meridian.url).host;
    const html = `<!doctype html><title>Shop</title><script src="/lib/segment.js"></script><script>
      window.done = (async () => {
        const [analytics] = await AnalyticsNext.AnalyticsBrowser.load(
          { writeKey: '${writeKey}', cdnURL: '${meridian.url}' },
          { integrations: { 'Segment.io': { apiHost: '${host}/v1', protocol: 'http' } } },
        );
        await analytics.page('Pricing', { path: '/pricing' });
        await analytics.identify('seg-user', { email: 'seg@shop.example' });
        await analytics.track('Order Completed', { total: 99.5 });
        await analytics.group('seg-acme', { name: 'Acme' });
        await analytics.alias('seg-user-2');
        return JSON.parse(localStorage.getItem('ajs_anonymous_id'));
      })();</script>`;
    const { byType, problems, inPage } = await visit('/segment-explicit', html, id, (page) => page.evaluate(() => (window as any).done));
    expectCalls(byType, 'seg', inPage as string, 'analytics.js');
    expect(byType.page).toMatchObject({ name: 'Pricing', properties: { path: '/pricing' } });
    expect(problems).toEqual([]);
  });

  it("Segment's standard snippet with its CDN host changed to Meridian loads analytics.js, its settings and sends here", async () => {
    const { id, writeKey } = await meridian.createSource('segment snippet');
    const html = SEGMENT_SNIPPET.replaceAll('{{MERIDIAN}}', meridian.url).replaceAll('{{WRITE_KEY}}', writeKey).replaceAll('{{PREFIX}}', 'snip');
    // An ajs_ parameter makes analytics.js load its query-string chunk: from Meridian too (any other host would fail).
    const chunks: string[] = [];
    const onRequest = (req: IncomingMessage) => req.url?.startsWith('/analytics-next/bundles/') && chunks.push(req.url);
    meridian.meridian.app.server.on('request', onRequest);
    const { byType, problems, inPage } = await visit('/segment-snippet?ajs_source=mail&utm_source=mail&utm_campaign=spring', html, id, (page) =>
      page.waitForFunction(() => localStorage.getItem('ajs_anonymous_id')).then(() => page.evaluate(() => JSON.parse(localStorage.getItem('ajs_anonymous_id')!))),
    ).finally(() => meridian.meridian.app.server.off('request', onRequest));
    expectCalls(byType, 'snip', inPage as string, 'analytics.js');
    expect(chunks).toEqual([expect.stringMatching(/^\/analytics-next\/bundles\/queryString\.bundle\.\w+\.js$/)]);
    expect(byType.page.context.campaign).toEqual({ source: 'mail', name: 'spring' });
    expect(problems).toEqual([]);
  });

  it('RudderStack v3 with its source config given in the page sends every call here', async () => {
    const { id, writeKey } = await meridian.createSource('rudderstack explicit');
    const html = `<!doctype html><title>Shop</title><script src="/lib/rudderstack.js"></script><script>
      window.done = new Promise((resolve) => {
        const rudder = new rudderanalytics.RudderAnalytics();
        rudder.load('${writeKey}', '${meridian.url}', {
          getSourceConfig: () => ({ source: { id: 'shop', name: 'shop', enabled: true, config: {}, destinations: [] } }),
          onLoaded: () => {
            rudder.page('Pricing', { path: '/pricing' });
            rudder.identify('rs-user', { email: 'rs@shop.example' });
            rudder.track('Order Completed', { total: 99.5 });
            rudder.group('rs-acme', { name: 'Acme' });
            rudder.alias('rs-user-2');
            resolve(rudder.getAnonymousId());
          },
        });
      });</script>`;
    const { byType, problems, inPage } = await visit('/rudderstack-explicit', html, id, (page) => page.evaluate(() => (window as any).done));
    expectCalls(byType, 'rs', inPage as string, 'RudderLabs JavaScript SDK');
    expect(problems).toEqual([]);
  });

  it("RudderStack's v3 snippet loads the SDK and its source config (configUrl) from Meridian and sends every call here", async () => {
    const { id, writeKey } = await meridian.createSource('rudderstack snippet');
    const html = RUDDERSTACK_SNIPPET.replaceAll('{{MERIDIAN}}', meridian.url).replaceAll('{{WRITE_KEY}}', writeKey).replaceAll('{{PREFIX}}', 'rs');
    const { byType, problems, inPage } = await visit('/rudderstack-snippet', html, id, (page) =>
      page.waitForFunction(() => !Array.isArray((window as any).rudderanalytics)).then(() =>
        page.evaluate(() => {
          // RudderStack keeps the id in the rl_anonymous_id cookie (or localStorage), as "RS_ENC_v3_" + base64(JSON).
          const cookie = document.cookie.split('; ').find((c) => c.startsWith('rl_anonymous_id='));
          const kept = cookie ? decodeURIComponent(cookie.slice('rl_anonymous_id='.length)) : localStorage.getItem('rl_anonymous_id');
          return kept && JSON.parse(atob(kept.replace(/^RS_ENC_v3_/, '')));
        }),
      ),
    );
    expectCalls(byType, 'rs', inPage as string, 'RudderLabs JavaScript SDK');
    expect(problems).toEqual([]);
  });

  it('stores what a page sends as it is hidden: sendBeacon, fetch keepalive and RudderStack\'s beacon queue', async () => {
    const { id, writeKey } = await meridian.createSource('unload');
    const body = (event: string) => JSON.stringify({ writeKey, type: 'track', anonymousId: 'a-unload', event });
    pages.set('/next', '<!doctype html><title>Next</title>');
    pages.set(
      '/leaving',
      `<!doctype html><title>Leaving</title><script src="/lib/rudderstack.js"></script><script>
      window.ready = new Promise((resolve) => {
        const rudder = new rudderanalytics.RudderAnalytics();
        // The beacon queue holds events until its flush interval or until the page is hidden.
        rudder.load('${writeKey}', '${meridian.url}', { configUrl: '${meridian.url}', useBeacon: true, beaconQueueOptions: { flushQueueInterval: 600000 },
          onLoaded: () => { rudder.track('Beacon Queued'); resolve(); } });
      });
      addEventListener('pagehide', () => {
        navigator.sendBeacon('${meridian.url}/v1/t', ${JSON.stringify(body('Beacon On Hide'))});
        fetch('${meridian.url}/v1/t', { method: 'POST', keepalive: true, headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(body('Keepalive On Hide'))} });
      });</script>`,
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    try {
      await page.goto(shopUrl + '/leaving');
      await page.evaluate(() => (window as any).ready);
      expect(await storedOf(id)).toEqual([]);
      await page.goto(shopUrl + '/next');
      await eventually(async () => {
        const stored = await storedOf(id);
        expect(stored.map((e) => e.message.event).sort()).toEqual(['Beacon On Hide', 'Beacon Queued', 'Keepalive On Hide']);
      });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
