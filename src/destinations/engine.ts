// The delivery engine: one mechanism for every connector. Per destination it claims due outbox rows
// (oldest first, one per profile at a time), groups them into the platform's batches, sends them
// within the destination's rate limit and concurrency, and records each outcome: delivered, retry
// later (capped exponential backoff with jitter, at least Retry-After), or dead letter when the
// response is terminal or the retry budget is spent. A circuit breaker pauses a failing destination
// and lets a probe through. At-least-once: a crash mid-request leaves the row in flight with a lease
// that expires, and the idempotency key lets the platform (or receiver) drop the repeat.
import { sql, type UpdateObject } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerState } from './circuit-breaker.js';
import type { PushTokens } from './push-tokens.js';
import type { AttemptResult, ConnectorContext, OutboundBatch } from './connectors/index.js';
import { consentAllows } from '../privacy/consent/index.js';
import type { DeliveryRow, DeliveryStore } from './deliveries.js';
import type { IdentifierSource, ProfileIdentifiers } from './identifiers.js';
import type { DestinationMetrics, RecordedOutcome } from './metrics.js';
import type { ProfileReads } from './profile-reads.js';
import { heldRows, newSessionId, sessionOf, settleReplaceSessions, startSession, type UploadSession } from './sessions.js';
import { TokenBucket } from '../shared/token-bucket.js';
import { classify, DEFAULT_RETRY, nextStep, type NextStep, type RetryPolicy } from './retry-policy.js';
import { newId } from '../shared/ids.js';
import type { ActiveDestination, DestinationStore } from './store.js';
import type { Unsubscribes } from './unsubscribe.js';

export interface EngineOptions {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  random?: () => number;
  store: DestinationStore;
  deliveries: DeliveryStore;
  identifiers: IdentifierSource;
  profiles: ProfileReads;
  unsubscribes: Unsubscribes;
  pushTokens: PushTokens;
  metrics?: Pick<DestinationMetrics, 'recorded'>;
  /** How long a claimed delivery stays reserved before another attempt may take it (crash recovery). */
  leaseMs?: number;
  /** Upper bound of a sleep when idle, so other processes' enqueues are noticed. */
  pollMs?: number;
  /** How often the retention of finished deliveries is enforced (default every minute). */
  retentionEveryMs?: number;
  onError?(err: unknown): void;
}

/** Rows handed to a connector per claim when the platform takes one item per request. */
const SINGLE_ITEM_CLAIM = 256;
const DEFAULT_CONCURRENCY = 4;
/** Delivered and skipped rows are kept this long unless `delivery.retentionMs` says otherwise. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;

type Outcome =
  | { kind: 'delivered'; result: AttemptResult }
  | { kind: 'skipped'; reason: string }
  | { kind: 'retry'; result: AttemptResult }
  | { kind: 'terminal'; result: AttemptResult }
  | { kind: 'deferred'; until: number };

interface PlannedBatch {
  rows: DeliveryRow[];
  batch: OutboundBatch;
  /** Audience adds: the identifiers sent per profile, recorded in the sent set on success. */
  members?: ProfileIdentifiers[];
}

interface Runtime {
  breaker: CircuitBreaker;
  bucket?: TokenBucket;
  rateKey: string;
  loop?: Promise<void>;
}

export class DeliveryEngine {
  private running = false;
  private readonly runtimes = new Map<string, Runtime>();
  private waiters = new Set<() => void>();
  private supervisor: Promise<void> | null = null;
  private readonly random: () => number;
  private readonly leaseMs: number;
  private readonly pollMs: number;

  constructor(private readonly o: EngineOptions) {
    this.random = o.random ?? Math.random;
    this.leaseMs = o.leaseMs ?? 60_000;
    this.pollMs = o.pollMs ?? 1_000;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.supervisor = this.supervise();
  }

  async stop() {
    this.running = false;
    this.poke();
    await this.supervisor;
    await Promise.all([...this.runtimes.values()].map((r) => r.loop));
  }

  /** Wakes idle loops (new deliveries, config changes, replays). */
  poke() {
    const ws = this.waiters;
    this.waiters = new Set();
    for (const w of ws) w();
  }

  circuit(destinationId: string): BreakerState {
    return this.runtimes.get(destinationId)?.breaker.state(this.o.clock.now()) ?? 'closed';
  }

  /** The circuit of each destination this process delivers to (for metrics). */
  *circuits(): Iterable<[string, BreakerState]> {
    const now = this.o.clock.now();
    for (const [id, rt] of this.runtimes) yield [id, rt.breaker.state(now)];
  }

  private async supervise() {
    if (this.o.dialect.name === 'sqlite') await this.o.deliveries.releaseLeases(this.o.clock.now()).catch((err) => this.o.onError?.(err));
    while (this.running) {
      try {
        const active = await this.o.store.active();
        for (const d of active) {
          const rt = this.runtime(d);
          if (!rt.loop) rt.loop = this.destinationLoop(d.id).finally(() => (rt.loop = undefined));
        }
        await this.enforceRetention(active);
      } catch (err) {
        this.o.onError?.(err);
      }
      await this.sleep(this.pollMs);
    }
  }

  private nextRetentionAt = 0;
  /** Deletes finished rows past their destination's retention, in small batches (deliveries.purgeFinished). */
  private async enforceRetention(active: ActiveDestination[]) {
    const now = this.o.clock.now();
    if (now < this.nextRetentionAt) return;
    this.nextRetentionAt = now + (this.o.retentionEveryMs ?? 60_000);
    for (const d of active) {
      const before = now - (d.delivery.retentionMs ?? DEFAULT_RETENTION_MS);
      await this.o.deliveries.purgeFinished(d.id, before);
      await this.o.pushTokens.purgeSends(d.id, before);
    }
  }

  private runtime(d: ActiveDestination): Runtime {
    let rt = this.runtimes.get(d.id);
    const rateKey = `${d.delivery.ratePerSecond ?? ''}`;
    if (!rt) {
      rt = {
        breaker: new CircuitBreaker({
          ...DEFAULT_BREAKER,
          failureThreshold: d.delivery.breakerThreshold ?? DEFAULT_BREAKER.failureThreshold,
          openMs: d.delivery.breakerOpenMs ?? DEFAULT_BREAKER.openMs,
        }),
        rateKey: '',
      };
      this.runtimes.set(d.id, rt);
    }
    if (rt.rateKey !== rateKey) {
      rt.rateKey = rateKey;
      rt.bucket = d.delivery.ratePerSecond ? new TokenBucket(d.delivery.ratePerSecond, this.o.clock.now()) : undefined;
    }
    return rt;
  }

  private async destinationLoop(id: string) {
    while (this.running) {
      const d = (await this.o.store.active().catch(() => [])).find((x) => x.id === id);
      if (!d) {
        this.runtimes.delete(id);
        return;
      }
      let idleMs = this.pollMs;
      try {
        // Errored (unreadable secret, invalid settings): its queue is held until it is fixed.
        if (d.paused || d.error) {
          await this.sleep(this.pollMs);
          continue;
        }
        const rt = this.runtime(d);
        const now = this.o.clock.now();
        if (rt.breaker.state(now) === 'open') idleMs = Math.max(1, rt.breaker.retryAt() - now);
        else if ((await this.round(d, rt)) > 0) continue;
        else {
          const due = await this.o.deliveries.nextDue(id);
          if (due !== undefined) idleMs = Math.max(1, Math.min(this.pollMs, due - this.o.clock.now()));
        }
      } catch (err) {
        this.o.onError?.(err);
      }
      await this.sleep(idleMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private async round(d: ActiveDestination, rt: Runtime): Promise<number> {
    const now = this.o.clock.now();
    const state = rt.breaker.state(now);
    if (state === 'open') return 0;
    const max = d.connector.maxBatch > 1 ? d.connector.maxBatch * (d.connector.maxSessionBatches ?? 1) : SINGLE_ITEM_CLAIM;
    // Half-open: one small probe batch decides whether the destination is back.
    const limit = state === 'half_open' ? Math.min(max, d.connector.maxBatch) : max;
    const rows = await this.o.deliveries.claim(d.id, limit, now, d.delivery.leaseMs ?? this.leaseMs);
    if (rows.length === 0) return 0;
    const { lanes, settled } = await this.plan(d, rows);
    const planned = lanes.flat();
    if (planned.length > 0 && !rt.breaker.allow(now)) {
      const until = Math.max(now + 100, rt.breaker.retryAt());
      await this.complete(d, [...settled, ...planned.flatMap((p) => p.rows.map((row) => ({ row, outcome: { kind: 'deferred', until } as Outcome })))]);
      return rows.length;
    }
    const ctx = this.context(d);
    const results: { row: DeliveryRow; outcome: Outcome }[] = [...settled];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < lanes.length; i = next++) {
        // A lane is one request, or an upload session's requests in batch order.
        let rest: Outcome | undefined;
        for (const p of lanes[i]) {
          const outcome = rest ?? (await this.attempt(d, rt, ctx, p));
          for (const row of p.rows) results.push({ row, outcome });
          if (rest) continue;
          if (outcome.kind === 'delivered' && p.members) await this.recordSent(d, p);
          rest = this.restOfLane(p, outcome);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(lanes.length, d.delivery.concurrency ?? DEFAULT_CONCURRENCY) }, worker));
    await this.complete(d, results);
    return rows.length;
  }

  /**
   * After a request of a session, what the session's later batches get without being sent: a retry
   * (or deferral) takes them along (same backoff, one attempt group, so they stay in order); a dead
   * replace batch ends its session (settleReplaceSessions makes the rest dead letters); otherwise the
   * session goes on (adds and removes are independent of each other).
   */
  private restOfLane(p: PlannedBatch, outcome: Outcome): Outcome | undefined {
    if (outcome.kind === 'retry' || outcome.kind === 'deferred') return outcome;
    if (outcome.kind === 'terminal' && p.batch.kind === 'audience' && p.batch.op === 'replace') return { kind: 'deferred', until: this.o.clock.now() };
    return undefined;
  }

  private async attempt(d: ActiveDestination, rt: Runtime, ctx: ConnectorContext, p: PlannedBatch): Promise<Outcome> {
    for (;;) {
      const now = this.o.clock.now();
      if (rt.breaker.state(now) === 'open') return { kind: 'deferred', until: rt.breaker.retryAt() };
      const waitMs = rt.bucket?.take(now) ?? 0;
      if (waitMs === 0) break;
      await new Promise((r) => setTimeout(r, waitMs));
    }
    let result: AttemptResult;
    try {
      result = await d.connector.send(ctx, p.batch);
    } catch (err) {
      result = { status: null, response: `connector error: ${(err as Error).message}` };
    }
    if (result.skipped) {
      rt.breaker.success();
      return { kind: 'skipped', reason: result.skipped };
    }
    const verdict = classify(result.status);
    if (verdict === 'retry') {
      rt.breaker.failure(this.o.clock.now(), result.status === 429 || result.status === 503 ? result.retryAfterMs : undefined);
      return { kind: 'retry', result };
    }
    rt.breaker.success();
    return verdict === 'delivered' ? { kind: 'delivered', result } : { kind: 'terminal', result };
  }

  /**
   * Turns claimed rows into platform batches, as lanes (a lane's requests are sent one after the
   * other: an upload session); rows that need no request, or must wait, are settled right away.
   */
  private async plan(d: ActiveDestination, rows: DeliveryRow[]): Promise<{ lanes: PlannedBatch[][]; settled: { row: DeliveryRow; outcome: Outcome }[] }> {
    const planned: PlannedBatch[] = [];
    const settled: { row: DeliveryRow; outcome: Outcome }[] = [];
    const skip = (row: DeliveryRow, reason: string) => settled.push({ row, outcome: { kind: 'skipped', reason } });
    const chunk = <T>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / d.connector.maxBatch) }, (_, i) => xs.slice(i * d.connector.maxBatch, (i + 1) * d.connector.maxBatch));

    if (d.kind === 'events') {
      const ctx = this.context(d);
      const groups = new Map<string, DeliveryRow[]>();
      // Checked again at send time, against the profile's consent as it is now (a statement through the
      // API, or a later event, may have refused the category since the delivery was queued). A retry
      // carries exactly the items of its first attempt, so only first attempts are checked.
      const fresh = d.category ? rows.filter((r) => r.attempt_group === null) : [];
      const consent = fresh.length > 0 ? await this.o.profiles.consentForDeliveries(fresh.map((r) => ({ id: r.id, seq: this.eventSeq(r), key: r.order_key }))) : new Map();
      for (const row of rows) {
        if (consent.has(row.id) && !consentAllows(consent.get(row.id), d.category)) {
          skip(row, `consent for ${d.category} is denied`);
          continue;
        }
        const item = this.eventItem(row);
        // A retried request carries exactly the items of the first attempt (same retry key).
        const key = row.attempt_group ?? `new:${d.connector.batchKey?.(ctx, item) ?? row.idempotency_key}`;
        const group = groups.get(key);
        if (group) group.push(row);
        else groups.set(key, [row]);
      }
      for (const group of groups.values())
        for (const part of chunk(group)) planned.push({ rows: part, batch: { kind: 'events', items: part.map((r) => this.eventItem(r)) } });
      return { lanes: planned.map((p) => [p]), settled };
    }

    // Upload sessions go in order, and adds/removes wait while a replace session runs (sessions.ts).
    const held = await heldRows(this.o.db, d.id, rows);
    const until = this.o.clock.now() + this.pollMs;
    for (const row of rows) if (held.has(row.id)) settled.push({ row, outcome: { kind: 'deferred', until } });
    const live = rows.filter((r) => !held.has(r.id));
    const adds = live.filter((r) => r.op === 'add').map((r) => r.order_key);
    const [identifiers, consent] = await Promise.all([this.o.identifiers.load(adds), d.category ? this.o.profiles.latestConsent(adds) : new Map()]);
    const sent = await this.sentIdentifiers(d.id, live.filter((r) => r.op === 'remove'));
    const groups = new Map<string, { row: DeliveryRow; member: ProfileIdentifiers }[]>();
    for (const row of live) {
      const audienceId = row.segment_id ? d.segments[row.segment_id] : undefined;
      if (!audienceId) {
        skip(row, 'the segment is no longer synced to this destination');
        continue;
      }
      let member: ProfileIdentifiers | undefined;
      // A replace resync froze each member's identifiers (consent checked) when it was requested.
      if (row.op === 'replace') member = (this.o.dialect.parseJson(row.payload) as { member: ProfileIdentifiers }).member;
      else if (row.op === 'add') {
        member = identifiers.get(row.order_key);
        if (!member) skip(row, 'the profile no longer exists');
        else if (!consentAllows(consent.get(row.order_key), d.category)) {
          skip(row, `consent for ${d.category} is denied`);
          member = undefined;
        }
      } else {
        member = sent.get(`${row.segment_id}\n${row.order_key}`);
        if (!member) skip(row, 'the profile was never sent to this audience');
      }
      if (!member) continue;
      const key = row.session_id ? `session\n${row.session_id}` : `${row.op}\n${audienceId}\n${row.attempt_group ?? ''}`;
      const group = groups.get(key);
      if (group) group.push({ row, member });
      else groups.set(key, [{ row, member }]);
    }
    const lanes: PlannedBatch[][] = [];
    const toBatch = (part: { row: DeliveryRow; member: ProfileIdentifiers }[], session?: UploadSession): PlannedBatch => {
      const members = part.map((g) => g.member);
      const { op, segment_id } = part[0].row;
      return {
        rows: part.map((g) => g.row),
        members,
        batch: { kind: 'audience', op: op as 'add' | 'remove' | 'replace', audienceId: d.segments[segment_id!], members, idempotencyKey: part.map((g) => g.row.idempotency_key).join(','), session },
      };
    };
    for (const [key, group] of groups) {
      if (key.startsWith('session\n')) {
        // Every attempt of a session batch carries the session id and batch number it was given.
        const bySeq = new Map<number, typeof group>();
        for (const g of group) bySeq.set(Number(g.row.session_seq), [...(bySeq.get(Number(g.row.session_seq)) ?? []), g]);
        lanes.push([...bySeq.keys()].sort((a, b) => a - b).map((seq) => toBatch(bySeq.get(seq)!, sessionOf(bySeq.get(seq)![0].row))));
      } else if (group.length > d.connector.maxBatch && d.connector.maxSessionBatches) {
        const parts = await startSession(this.o.db, group, d.connector.maxBatch, newSessionId(this.o.clock.now(), this.random));
        lanes.push(parts.map((p) => toBatch(p.items, p.session)));
      } else for (const part of chunk(group)) lanes.push([toBatch(part)]);
    }
    return { lanes, settled };
  }

  private eventSeq(row: DeliveryRow): number | undefined {
    return (this.o.dialect.parseJson(row.payload) as { seq?: number }).seq;
  }

  private eventItem(row: DeliveryRow) {
    const payload = this.o.dialect.parseJson(row.payload) as { seq?: number; body: Record<string, unknown> };
    return { idempotencyKey: row.idempotency_key, payload: payload.seq === undefined ? payload.body : { ...payload.body, seq: payload.seq } };
  }

  private async sentIdentifiers(destinationId: string, removes: DeliveryRow[]) {
    const out = new Map<string, ProfileIdentifiers>();
    for (let i = 0; i < removes.length; i += 1000) {
      const part = removes.slice(i, i + 1000);
      const rows = await this.o.db
        .selectFrom('destination_members')
        .select(['segment_id', 'profile_id', 'identifiers'])
        .where('destination_id', '=', destinationId)
        .where('profile_id', 'in', part.map((r) => r.order_key))
        .execute();
      for (const r of rows) out.set(`${r.segment_id}\n${r.profile_id}`, this.o.dialect.parseJson(r.identifiers) as ProfileIdentifiers);
    }
    return out;
  }

  /** The platform now holds these members (add) or no longer does (remove). */
  private async recordSent(d: ActiveDestination, p: PlannedBatch) {
    if (p.batch.kind !== 'audience' || !p.members) return;
    const now = this.o.clock.now();
    const keys = p.rows.map((r, i) => ({ segment_id: r.segment_id!, profile_id: r.order_key, member: p.members![i] }));
    if (p.batch.op === 'remove') {
      for (const k of keys)
        await this.o.db
          .deleteFrom('destination_members')
          .where('destination_id', '=', d.id)
          .where('segment_id', '=', k.segment_id)
          .where('profile_id', '=', k.profile_id)
          .execute();
      return;
    }
    const values = keys.map((k) => ({ destination_id: d.id, segment_id: k.segment_id, profile_id: k.profile_id, identifiers: JSON.stringify(k.member), sent_at: now }));
    for (let i = 0; i < values.length; i += 2_000)
      await this.o.db
        .insertInto('destination_members')
        .values(values.slice(i, i + 2_000))
        .onConflict((oc) =>
          oc.columns(['destination_id', 'segment_id', 'profile_id']).doUpdateSet({ identifiers: sql`excluded.identifiers`, sent_at: sql`excluded.sent_at` }),
        )
        .execute();
  }

  /**
   * Records every outcome of a round in one transaction, one statement per request outcome: its rows
   * share the decision (one backoff per request, so they stay together for the retry). Rows that were
   * re-claimed by someone else after their lease expired are left alone.
   */
  private async complete(d: ActiveDestination, results: { row: DeliveryRow; outcome: Outcome }[]) {
    const now = this.o.clock.now();
    const policy: RetryPolicy = {
      baseMs: d.delivery.baseBackoffMs ?? DEFAULT_RETRY.baseMs,
      capMs: d.delivery.maxBackoffMs ?? DEFAULT_RETRY.capMs,
      maxAttempts: d.delivery.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
      maxAgeMs: d.delivery.maxAgeMs ?? DEFAULT_RETRY.maxAgeMs,
    };
    const byOutcome = new Map<Outcome, DeliveryRow[]>();
    for (const { row, outcome } of results) {
      const rows = byOutcome.get(outcome);
      if (rows) rows.push(row);
      else byOutcome.set(outcome, [row]);
    }
    const recorded: RecordedOutcome[] = [];
    await this.o.db.transaction().execute(async (trx) => {
      for (const [outcome, rows] of byOutcome) {
        const attempts = Math.max(...rows.map((r) => r.attempts));
        let set: UpdateObject<Database, 'deliveries'>;
        switch (outcome.kind) {
          case 'delivered':
            set = { status: 'delivered', delivered_at: now, last_status: outcome.result.status, last_response: outcome.result.response, last_error: null };
            break;
          case 'skipped':
            set = { status: 'skipped', delivered_at: now, last_error: outcome.reason };
            break;
          case 'deferred':
            // Not sent (the circuit opened meanwhile): the attempt does not count.
            set = { status: 'retrying', attempts: sql`attempts - 1`, next_attempt_at: outcome.until };
            break;
          default: {
            const createdAt = Math.min(...rows.map((r) => Number(r.created_at)));
            const step: NextStep =
              outcome.kind === 'terminal'
                ? { kind: 'dead', reason: `terminal response ${outcome.result.status}` }
                : nextStep(policy, { attempts, createdAt }, now, this.random, outcome.result.retryAfterMs);
            set = {
              status: step.kind === 'dead' ? 'dead' : 'retrying',
              next_attempt_at: step.kind === 'dead' ? now : step.at,
              last_status: outcome.result.status,
              last_response: outcome.result.response,
              last_error: step.kind === 'dead' ? step.reason : `attempt ${attempts} failed (${outcome.result.status ?? 'no response'})`,
              attempt_group: step.kind === 'dead' ? null : newId('grp'),
            };
          }
        }
        if (outcome.kind !== 'deferred')
          recorded.push({ rows, status: set.status as RecordedOutcome['status'], httpStatus: 'result' in outcome ? outcome.result.status : null });
        // Grouped by attempts so that the lease guard (status inflight + same attempt) stays exact.
        const byAttempts = new Map<number, number[]>();
        for (const r of rows) {
          const ids = byAttempts.get(r.attempts);
          if (ids) ids.push(r.id);
          else byAttempts.set(r.attempts, [r.id]);
        }
        for (const [n, ids] of byAttempts)
          for (let i = 0; i < ids.length; i += 5_000)
            await trx
              .updateTable('deliveries')
              .set({ ...set, updated_at: now })
              .where('id', 'in', ids.slice(i, i + 5_000))
              .where('status', '=', 'inflight')
              .where('attempts', '=', n)
              .execute();
      }
      const replaceSessions = new Map<string, string>();
      for (const { row } of results) if (row.op === 'replace' && row.session_id) replaceSessions.set(row.session_id, row.segment_id!);
      if (replaceSessions.size > 0) await settleReplaceSessions(trx, d.id, [...replaceSessions].map(([id, segmentId]) => ({ id, segmentId })), now);
    });
    this.o.metrics?.recorded(d, recorded, now);
  }

  context(d: ActiveDestination): ConnectorContext {
    const unsubscribeBase = (d.config.unsubscribeBaseUrl as string | undefined) ?? 'http://localhost:8080';
    return {
      destinationId: d.id,
      config: d.config,
      secrets: d.secrets,
      now: () => this.o.clock.now(),
      profileTraitsForEvent: (seq) => this.o.profiles.traitsForEvent(seq),
      isOptedOut: (email) => this.o.unsubscribes.isOptedOut(d.id, email),
      push: {
        tokens: async (ref) => {
          const profileId = ref.profileId ?? (ref.seq === undefined ? undefined : await this.o.pushTokens.profileOfEvent(ref.seq));
          if (profileId === undefined) return ref.seq === undefined ? [] : null;
          return (await this.o.pushTokens.forProfile(profileId)).map((t) => t.token);
        },
        drop: (token) => this.o.pushTokens.remove(token),
        sent: (key) => this.o.pushTokens.sentTokens(d.id, key),
        markSent: (key, token) => this.o.pushTokens.markSent(d.id, key, token, this.o.clock.now()),
      },
      unsubscribeUrl: (email) => {
        if (!d.secrets.unsubscribeSigningKey) throw new Error('the destination has no unsubscribe signing key');
        return this.o.unsubscribes.url(unsubscribeBase, d.secrets.unsubscribeSigningKey, d.id, email);
      },
    };
  }
}
