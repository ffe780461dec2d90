// Journeys' use cases behind the API: validation against what exists, create/edit (versions),
// status changes, dry runs, message previews, enrollments and stats.
import { Value } from '@sinclair/typebox/value';
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../shared/paging.js';
import { isHoldout, pickVariant } from './assign.js';
import { productsOf } from './enter.js';
import { afterQuietHours, nextLocalTime } from './local-time.js';
import { hasStoredPushToken, recipientOf } from './reach.js';
import { renderMessage } from './render.js';
import { eventMatches, profileTraits, timeZoneOf, toEnrollments, type RunnerDeps } from './runner.js';
import {
  durationMs,
  JourneyDefinition,
  type DryRunResult,
  type Enrollment,
  type Journey,
  type JourneyStats,
  type PreviewMessage,
  type ValidationResult,
  type Channel,
} from './schema.js';
import { journeyStats } from './stats.js';
import type { JourneyStore } from './store.js';
import { validateDefinition, type References } from './validate.js';

export class JourneyService {
  constructor(
    private readonly o: { db: Db; dialect: Dialect; clock: Clock; store: JourneyStore; runner: RunnerDeps; onChange(): void },
  ) {}

  private async references(): Promise<References> {
    const { db } = this.o;
    const [segments, destinations, pools] = await Promise.all([
      db.selectFrom('segments').select('id').execute(),
      db.selectFrom('destinations').select(['id', 'kind', 'connector']).execute(),
      db.selectFrom('coupon_pools').select('id').execute(),
    ]);
    return { segments: new Set(segments.map((s) => s.id)), destinations: new Map(destinations.map((d) => [d.id, { kind: d.kind, connector: d.connector }])), couponPools: new Set(pools.map((p) => p.id)) };
  }

  async validate(definition: unknown): Promise<ValidationResult> {
    const issues = validateDefinition(definition, await this.references());
    return { valid: issues.length === 0, issues };
  }

  /** The definition, or 422 invalid_journey listing every issue. */
  async checked(definition: unknown): Promise<JourneyDefinition> {
    const { issues } = await this.validate(definition);
    if (issues.length > 0)
      throw new AppError('invalid_journey', 422, `the journey definition is invalid: ${issues[0].stepId ? `step "${issues[0].stepId}": ` : ''}${issues[0].message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`, { issues });
    return Value.Clean(JourneyDefinition, structuredClone(definition)) as JourneyDefinition;
  }

  async create(body: { name: string; description?: string; definition: unknown }, template?: string): Promise<Journey> {
    return this.o.store.create({ name: body.name, description: body.description, definition: await this.checked(body.definition), template });
  }

  async update(id: string, body: { name?: string; description?: string; definition?: unknown }): Promise<Journey> {
    await this.o.store.row(id);
    const definition = body.definition === undefined ? undefined : await this.checked(body.definition);
    const j = await this.o.store.update(id, { name: body.name, description: body.description, definition });
    this.o.onChange();
    return j;
  }

  async activate(id: string) {
    const j = await this.o.store.get(id);
    await this.checked(j.definition); // destinations or segments may have gone since it was saved
    const out = await this.o.store.transition(id, ['draft'], 'active');
    this.o.onChange();
    return out;
  }

  async setStatus(id: string, from: Journey['status'][], to: Journey['status']) {
    const out = await this.o.store.transition(id, from, to);
    this.o.onChange();
    return out;
  }

  async stats(id: string): Promise<JourneyStats> {
    const j = await this.o.store.get(id);
    return journeyStats(this.o.db, id, j.definition);
  }

  async enrollments(id: string, q: { state?: string; limit: number; cursor?: string }): Promise<Page<Enrollment>> {
    await this.o.store.row(id);
    const after = decodeCursor(q.cursor, (v): v is string => typeof v === 'string');
    let query = this.o.db.selectFrom('journey_enrollments').selectAll().where('journey_id', '=', id).orderBy('id').limit(q.limit + 1);
    if (q.state) query = query.where('state', '=', q.state);
    if (after) query = query.where('id', '>', after);
    const rows = await query.execute();
    const page = await toEnrollments(this.o.runner.contexts, rows.slice(0, q.limit));
    return {
      data: page.map((e) => ({
        id: e.id,
        journeyId: e.journey_id,
        version: e.version,
        profileId: e.profile_id,
        state: e.state as Enrollment['state'],
        stepId: e.step_id,
        dueAt: e.due_at,
        holdout: e.holdout === 1,
        variant: e.variant,
        enteredAt: e.entered_at,
        exitedAt: e.exited_at === null ? null : Number(e.exited_at),
        exitReason: e.exit_reason,
      })),
      next: rows.length > q.limit ? encodeCursor(page[page.length - 1].id) : null,
    };
  }

  private async traits(profileId: string) {
    const traits = await this.o.db.transaction().execute((trx) => profileTraits(trx, this.o.dialect, profileId));
    if (!traits) throw new AppError('profile_not_found', 404, `no profile ${profileId}`);
    return traits;
  }

  async preview(id: string, body: { profileId: string; stepId: string; event?: Record<string, unknown>; context?: Record<string, unknown> }): Promise<PreviewMessage> {
    const j = await this.o.store.get(id);
    const step = j.definition.steps.find((s) => s.id === body.stepId);
    if (!step || step.type !== 'send') throw new AppError('journey_step_not_found', 404, `journey ${id} has no send step "${body.stepId}"`);
    const traits = await this.traits(body.profileId);
    const ctx = { cart: productsOf(body.event), coupon: 'COUPON-PREVIEW', ...body.context };
    return { stepId: step.id, channel: step.channel, rendered: renderMessage(step.message, { profile: traits, event: body.event ?? null, journey: { id: j.id, name: j.name, version: j.version, ...ctx } }) };
  }

  /**
   * Walks the profile through the current version without storing or sending anything: waits are
   * assumed to pass (awaited events not to come), branches are judged on the profile as it is now.
   */
  async dryRun(id: string, body: { profileId: string; event?: Record<string, unknown> }): Promise<DryRunResult> {
    const j = await this.o.store.get(id);
    const def = j.definition;
    const traits = await this.traits(body.profileId);
    const holdout = isHoldout(j.id, body.profileId, def.rules?.holdoutPercent);
    const tz = timeZoneOf(def, traits);
    const steps = new Map(def.steps.map((s) => [s.id, s]));
    const out: DryRunResult['steps'] = [];
    let at = this.o.clock.now();
    const ctx = { cart: productsOf(body.event), coupon: 'COUPON-PREVIEW' };
    const memberships = new Set((await this.o.db.selectFrom('segment_memberships').select('segment_id').where('profile_id', '=', body.profileId).execute()).map((m) => m.segment_id));
    const tags = new Set((await this.o.db.selectFrom('profile_tags').select('tag').where('profile_id', '=', body.profileId).execute()).map((t) => t.tag));
    const storedPush = await hasStoredPushToken(this.o.db, body.profileId);
    const reachable = (channel: Channel) => recipientOf(channel, traits) !== null || (channel === 'push' && storedPush);
    for (let s = steps.get(def.steps[0].id); s; ) {
      const push = (outcome: string, rendered?: Record<string, string>) => out.push({ stepId: s!.id, type: s!.type, outcome, ...(rendered ? { rendered } : {}) });
      switch (s.type) {
        case 'wait':
          at += durationMs(s.duration);
          push(`wait ${s.duration.amount} ${s.duration.unit} (until ${new Date(at).toISOString()})`);
          s = steps.get(s.next);
          break;
        case 'wait_until':
          at = nextLocalTime(at, s.at, tz);
          push(`wait until ${s.at} ${tz} (${new Date(at).toISOString()})`);
          s = steps.get(s.next);
          break;
        case 'wait_for_event':
          at += durationMs(s.timeout);
          push(`wait for ${s.event}; assumed not to come: timeout after ${s.timeout.amount} ${s.timeout.unit}`);
          s = steps.get(s.timeoutNext);
          break;
        case 'branch': {
          const hit = s.branches.find((b) =>
            b.when.type === 'trait'
              ? eventMatches({ event: 'x', where: [{ path: `t.${b.when.path}`, op: b.when.op, value: b.when.value }] }, { event: 'x', t: traits })
              : b.when.type === 'segment'
                ? memberships.has(b.when.segmentId) === (b.when.member ?? true)
                : b.when.type === 'tag'
                  ? tags.has(b.when.tag) === (b.when.has ?? true)
                  : b.when.type === 'reachable'
                    ? reachable(b.when.channel)
                    : false,
          );
          push(`branch → ${hit ? hit.next : `${s.else} (else)`}`);
          s = steps.get(hit ? hit.next : s.else);
          break;
        }
        case 'split': {
          const v = pickVariant(s.variants, j.id, s.id, body.profileId);
          push(`split → variant ${v.name}`);
          s = steps.get(v.next);
          break;
        }
        case 'send': {
          const when = afterQuietHours(at, def.rules?.quietHours, tz);
          const reach = s.channel === 'audience' || reachable(s.channel);
          const rendered = renderMessage(s.message, { profile: traits, event: body.event ?? null, journey: { id: j.id, name: j.name, version: j.version, ...ctx } });
          push(holdout ? `no ${s.channel} send: holdout` : !reach ? `no ${s.channel} send: not reachable` : `send ${s.channel} at ${new Date(when).toISOString()}${when > at ? ' (after quiet hours)' : ''}`, rendered);
          at = when;
          s = steps.get(s.next);
          break;
        }
        case 'update_profile':
          push(`update profile: ${[...Object.keys(s.setTraits ?? {}).map((k) => `set ${k}`), ...(s.addTags ?? []).map((t) => `tag ${t}`), ...(s.removeTags ?? []).map((t) => `untag ${t}`)].join(', ')}`);
          s = steps.get(s.next);
          break;
        case 'exit':
          push('exit');
          s = undefined;
          break;
      }
    }
    return { profileId: body.profileId, holdout, steps: out };
  }
}
