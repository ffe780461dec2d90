// The identity stage's prefetch thread (src/identity/input-feed.ts): on the embedded store, full batches
// of at least 256 events are read and prepared by a thread while the previous batch is applied. What it
// prepares must resolve exactly as what the stage prepares itself, and a rules change between a
// prefetch and its batch's transaction must be applied to that batch; under field encryption the thread
// keys classified identifiers by the same blind index as the stage.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { openStorage, type Storage } from '../src/storage/index.js';
import { EventLog, type NewLogEvent } from '../src/log/index.js';
import { ManualClock } from '../src/shared/clock.js';
import { DEFAULT_RULES, IdentityEngine, identityFeed, identityStage, loadRules, saveRules } from '../src/identity/index.js';
import { prepareEvent } from '../src/identity/prepare.js';
import { FieldCipher } from '../src/shared/encryption/field-cipher.js';
import { loadKeks } from '../src/shared/encryption/kek.js';
import { PiiVault } from '../src/shared/encryption/pii-vault.js';
import { Classifier } from '../src/privacy/classification/classifier.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const clock = new ManualClock(T0 + 86_400_000);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function store(): Promise<{ storage: Storage; log: EventLog }> {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-prefetch-'));
  const storage = await openStorage({ dataDir: dir });
  const now = clock.now();
  await storage.db.insertInto('sources').values({ id: 'src_pos', name: 'pos', type: 'pos', rate_limit: null, disabled_at: null, created_at: now, updated_at: now }).execute();
  // Computed traits read purchase properties: the thread passes them as JSON, the stage parses what its fold reads.
  const defs = [
    { name: 'ltv', kind: 'sum', event: 'Order Completed', property: 'total' },
    { name: 'last_member_id', kind: 'last', property: 'member_id' },
  ];
  await storage.db.insertInto('computed_traits').values(defs.map((d) => ({ name: d.name, definition: JSON.stringify(d), created_at: now }))).execute();
  const log = new EventLog(storage.db, storage.dialect, { clock, dedupeWindowMs: 86_400_000, logFile: storage.logFile });
  cleanups.push(async () => {
    await log.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { storage, log };
}

/** 3,000 events of 400 people: anonymous visits, an identify with email and phone, purchases with a member number and a gift card. */
function events(): NewLogEvent[] {
  const out: NewLogEvent[] = [];
  for (let n = 0; n < 3000; n++) {
    const person = n % 400;
    const ts = T0 + n * 60_000;
    const kind = Math.floor(n / 400) % 3;
    const payload =
      kind === 0
        ? { type: 'page', anonymousId: `anon-${person}`, name: 'Home', properties: { path: '/' } }
        : kind === 1
          ? { type: 'identify', anonymousId: `anon-${person}`, userId: `user-${person}`, traits: { email: ` Person${person}@Example.com`, phone: `+1 415 555 ${String(1000 + person)}` } }
          : { type: 'track', userId: `user-${person}`, event: 'Order Completed', properties: { total: n % 97, member_id: `M-${person}`, gift_card: `G-${person}` } };
    const messageId = `m-${n}`;
    out.push({
      sourceId: 'src_pos',
      messageId,
      type: payload.type,
      event: (payload as { event?: string }).event ?? null,
      userId: (payload as { userId?: string }).userId ?? null,
      anonymousId: (payload as { anonymousId?: string }).anonymousId ?? null,
      ts,
      receivedAt: ts,
      payload: JSON.stringify({ ...payload, messageId, timestamp: new Date(ts).toISOString() }),
    });
  }
  return out;
}

async function snapshot(storage: Storage) {
  const ids = await storage.db.selectFrom('identity_identifiers').select(['key', 'profile_id', 'since_ts', 'since_tie']).orderBy('key').execute();
  const profiles = await storage.db.selectFrom('identity_profiles').select(['profile_id', 'identifiers', 'state']).orderBy('profile_id').execute();
  const timeline = await storage.db.selectFrom('profile_events').select(['seq', 'profile_id', 'properties']).orderBy('seq').execute();
  return { ids, profiles, timeline };
}

it('resolves prefetched batches exactly as batches the stage prepares itself', async () => {
  const threaded = await store();
  const inPlace = await store();
  for (const s of [threaded, inPlace]) await s.log.append(events());

  const feed = identityFeed(threaded.storage.db, threaded.log);
  await identityStage({ db: threaded.storage.db, dialect: threaded.storage.dialect, log: threaded.log, engine: new IdentityEngine(threaded.storage.dialect, clock), batchSize: 500, feed }).drain();
  await feed.close();
  expect(feed.stats.prefetched).toBe(5); // batches 2–6 of 6; the first is read in place

  // Batches under the prefetch threshold are prepared on the stage's own thread.
  await identityStage({ db: inPlace.storage.db, dialect: inPlace.storage.dialect, log: inPlace.log, engine: new IdentityEngine(inPlace.storage.dialect, clock), batchSize: 100 }).drain();

  const expected = await snapshot(inPlace.storage);
  expect(expected.ids.some((r) => r.key === 'email:person7@example.com')).toBe(true);
  expect(expected.profiles.filter((p) => JSON.parse(p.state).aggs.ltv !== undefined)).toHaveLength(400);
  expect(expected.timeline).toHaveLength(3000);
  expect(await snapshot(threaded.storage)).toEqual(expected);
});

it('prepares a prefetched batch again when the rules changed before its transaction', async () => {
  const { storage, log } = await store();
  await log.append(events());
  const feed = identityFeed(storage.db, log);
  const stage = identityStage({ db: storage.db, dialect: storage.dialect, log, engine: new IdentityEngine(storage.dialect, clock), batchSize: 1000, feed });
  expect(await stage.step()).toBe(1000); // and the thread now prepares events 1001–2000 under the old rules

  // Gift cards become identifiers. Purchases are events 801–1200 and 2001–2400 (persons 0–399 each time).
  const rules = await loadRules(storage.db);
  await saveRules(storage.db, { ...rules, identifiers: [...rules.identifiers, { type: 'gift_card', paths: ['properties.gift_card'], priority: 50, limit: 1, link: true, normalise: 'trim' }] }, clock.now());
  await stage.drain();
  await feed.close();

  const cards = await storage.db.selectFrom('identity_identifiers').select(['key', 'profile_id', 'since_tie']).where('type', '=', 'gift_card').orderBy('key').execute();
  expect(cards).toHaveLength(400);
  const users = new Map((await storage.db.selectFrom('identity_identifiers').select(['value', 'profile_id']).where('type', '=', 'user_id').execute()).map((r) => [r.value, r.profile_id]));
  for (const c of cards) {
    const person = Number(c.key.slice('gift_card:G-'.length));
    expect(c.profile_id).toBe(users.get(`user-${person}`));
    // Persons 200–399 bought in events 1001–1200, which the thread had prepared under the old rules:
    // their cards joined then, not at their next purchase (events 2001–2400).
    expect(c.since_tie).toBe(`src_pos\u0001m-${person >= 200 ? 800 + person : 2000 + person}`);
  }
  expect(DEFAULT_RULES.identifiers.some((r) => r.type === 'gift_card')).toBe(false);
});

it('prepares a batch again when its transaction reads other rules than it was prepared under', async () => {
  // The feed reads the rules before the transaction: they may change in between.
  const { storage, log } = await store();
  await log.append(events().slice(800, 1200)); // 400 purchases
  const before = await loadRules(storage.db);
  const items = (await log.readAfter(0, 400)).map((e) => ({ event: prepareEvent(e, before, null), rules: JSON.stringify(before) }));
  await saveRules(storage.db, { ...before, identifiers: [...before.identifiers, { type: 'gift_card', paths: ['properties.gift_card'], priority: 50, limit: 1, link: true, normalise: 'trim' }] }, clock.now());
  const engine = new IdentityEngine(storage.dialect, clock);
  await storage.dialect.derivedTransaction(storage.db, (trx) => engine.applyBatch(trx, items));
  const cards = await storage.db.selectFrom('identity_identifiers').select('key').where('type', '=', 'gift_card').execute();
  expect(cards).toHaveLength(400);
  expect(await storage.db.selectFrom('profile_events').select('seq').execute()).toHaveLength(400);
});

it('closes the thread and lets a process with nothing else to do end normally', async () => {
  const script = new URL('./fixtures/scripts/prefetch-close.ts', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { timeout: 60_000 });
  expect(JSON.parse(stdout)).toEqual({ applied: 1000, prefetched: 3 });
});

it('keys classified identifiers by the same blind index in the thread as on the stage under field encryption', async () => {
  const { storage, log } = await store();
  await log.append(events());
  const cipher = (await FieldCipher.open(storage.db, clock, loadKeks({ kek: 'f0'.repeat(32) })))!;
  new PiiVault(cipher, async () => new Classifier()).attach(storage.dialect);
  const feed = identityFeed(storage.db, log, storage.dialect);
  await identityStage({ db: storage.db, dialect: storage.dialect, log, engine: new IdentityEngine(storage.dialect, clock), batchSize: 500, feed }).drain();
  await feed.close();
  expect(feed.stats.prefetched).toBe(5);

  const rows = await storage.db.selectFrom('identity_identifiers').select(['key', 'profile_id']).execute();
  expect(rows.filter((r) => /person|415555/i.test(r.key))).toEqual([]);
  const owner = new Map(rows.map((r) => [r.key, r.profile_id]));
  // The identify events (401–800) were prepared by the thread: their blind keys are the stage's.
  for (const person of [0, 7, 399]) {
    const email = `email:${cipher.blindIndex.of(`email:person${person}@example.com`)}`;
    const phone = `phone:${cipher.blindIndex.of(`phone:+1415555${1000 + person}`)}`;
    expect(owner.get(email)).toBe(owner.get(`user_id:user-${person}`));
    expect(owner.get(phone)).toBe(owner.get(`user_id:user-${person}`));
  }
  expect(new Set(rows.map((r) => r.profile_id)).size).toBe(400);
});
