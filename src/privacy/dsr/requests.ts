// Data-subject requests as jobs: created through the API, run one at a time in the background with
// their step and progress recorded, resumed after a restart (every step can run again safely).
// While a request runs, its identifier is kept sealed (AES-GCM, the installation's secret box) so it
// can resume; when it ends only the salted proof and the keyed hash remain.
import type { Db, Dialect } from '../../storage/index.js';
import type { Clock } from '../../shared/clock.js';
import type { EventLog } from '../../log/index.js';
import type { SecretBox } from '../../shared/secret-box.js';
import type { ProfileReader } from '../../profiles/index.js';
import { normalise } from '../../ingest/index.js';
import { loadRules, storedKeys } from '../../identity/index.js';
import { AppError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../shared/paging.js';
import type { ConsentStore } from '../consent/index.js';
import type { PrivacyRequestsTable, RequestKind } from '../tables.js';
import type { Selectable } from 'kysely';
import { buildExport } from './access-export.js';
import { forwardRemovals, type ForwardOptions } from './forward.js';
import { compactStore, eraseSubject } from './purge.js';
import { scrubImportFiles } from './uploads.js';
import type { NewPrivacyRequest, PrivacyRequest, RequestResult } from './schema.js';
import { keyedHash, resolveSubject, saltedProof, subjectKey } from './subject.js';
import type { Suppressions } from './suppression.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
/** The source id rectifications are recorded under in the log and the traits' provenance. */
export const PRIVACY_SOURCE = 'privacy';

export interface RequestsOptions {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  log: EventLog;
  box: SecretBox;
  hashKey: Buffer;
  profiles: ProfileReader;
  consent: ConsentStore;
  suppressions: Suppressions;
  forward: Omit<ForwardOptions, 'db' | 'dialect' | 'clock'>;
  /** The data directory: import files under it are scrubbed by a delete. */
  dataDir: string;
  /** The embedded store's compaction of its main file (Storage.compact). */
  compactMain?: () => Promise<void>;
  /** Whether a delete ends with compaction (checkpoint + VACUUM): on by default, the proof needs it. */
  compact: boolean;
  onError: (err: unknown, requestId: string) => void;
}

type Sealed = { key: string; traits?: Record<string, unknown> };

export class PrivacyRequests {
  private tail: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Deletes scheduled and not yet run: while any waits, compaction is left to the last of them. */
  private pendingDeletes = 0;
  /** Erased requests waiting for the compaction that completes them. */
  private readonly erased: { id: string; result: RequestResult; proofHash: string; values: string[] }[] = [];

  constructor(private readonly o: RequestsOptions) {}

  async create(body: NewPrivacyRequest, actor: string | null): Promise<PrivacyRequest> {
    const { db, clock, box } = this.o;
    const key = await subjectKey(db, body.identifier.type, body.identifier.value);
    if (body.kind === 'rectify') {
      if (!body.traits) throw new AppError('missing_field', 400, 'traits: a rectification sets trait values', { field: 'traits' });
      const [graphKey] = await storedKeys(this.o.dialect, await loadRules(db), [key]);
      const owner = await db.selectFrom('identity_identifiers').select('profile_id').where('key', '=', graphKey).executeTakeFirst();
      if (!owner?.profile_id) throw new AppError('profile_not_found', 404, `no profile with ${body.identifier.type} ${JSON.stringify(body.identifier.value)}`);
    } else if (body.traits) throw new AppError('invalid_field', 400, 'traits: only a rectification sets traits', { field: 'traits' });
    const proof = saltedProof(key);
    const id = newId('dsr');
    const sealed: Sealed = { key, traits: body.traits };
    await db
      .insertInto('privacy_requests')
      .values({
        id,
        kind: body.kind,
        subject_hash: keyedHash(this.o.hashKey, key),
        proof_salt: proof.salt,
        proof_hash: proof.hash,
        status: 'queued',
        step: null,
        progress: 0,
        params: box.seal(JSON.stringify(sealed)),
        result: null,
        export: null,
        actor,
        created_at: clock.now(),
        started_at: null,
        finished_at: null,
      })
      .execute();
    this.schedule(id, body.kind);
    return this.get(id);
  }

  async get(id: string): Promise<PrivacyRequest> {
    const row = await this.o.db.selectFrom('privacy_requests').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('privacy_request_not_found', 404, `no privacy request ${id}`);
    return this.view(row);
  }

  async list(limit: number, cursor?: string, kind?: RequestKind): Promise<Page<PrivacyRequest>> {
    const after = decodeCursor(cursor, (v): v is [number, string] => Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string');
    let q = this.o.db.selectFrom('privacy_requests').selectAll();
    if (kind) q = q.where('kind', '=', kind);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '<', after[0]), eb.and([eb('created_at', '=', after[0]), eb('id', '<', after[1])])]));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const data = rows.slice(0, limit).map((r) => this.view(r));
    const last = rows[limit - 1];
    return { data, next: rows.length > limit ? encodeCursor([Number(last.created_at), last.id]) : null };
  }

  /** The JSON export of a completed access request. */
  async exportOf(id: string): Promise<string> {
    const row = await this.o.db.selectFrom('privacy_requests').select(['kind', 'status', 'export']).where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('privacy_request_not_found', 404, `no privacy request ${id}`);
    if (row.kind !== 'access' || row.status !== 'completed' || row.export === null)
      throw new AppError('privacy_export_unavailable', 409, `request ${id} has no export (only completed access requests do, until the person is deleted)`);
    return row.export;
  }

  /** Resumes requests a previous process left queued or running. */
  async start(): Promise<void> {
    this.stopped = false;
    const rows = await this.o.db.selectFrom('privacy_requests').select(['id', 'kind']).where('status', 'in', ['queued', 'running']).orderBy('created_at').execute();
    for (const r of rows) this.schedule(r.id, r.kind);
  }

  /** Lets the running request finish; runs no more. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.tail;
  }

  /** Resolves when every request scheduled so far has ended (tests, benchmarks). */
  idle(): Promise<void> {
    return this.tail;
  }

  /** Compacts the store, then completes every erased request. */
  private async completeErased() {
    if (this.erased.length === 0) return;
    const { db, dialect, log } = this.o;
    let compaction: RequestResult['compaction'];
    if (this.o.compact) {
      for (const e of this.erased) await this.progress(e.id, 'compacting', 0.9);
      // One byte search for everyone erased since the last compaction: each request carries the report.
      compaction = await compactStore(db, dialect, log, this.o.compactMain, { dataDir: this.o.dataDir, values: this.erased.flatMap((e) => e.values) });
    }
    for (const e of this.erased.splice(0)) {
      await this.finish(e.id, 'completed', compaction ? { ...e.result, compaction } : e.result);
      // The request log keeps the salted proof only: not even the keyed hash of who it was about.
      await db.updateTable('privacy_requests').set({ subject_hash: e.proofHash }).where('id', '=', e.id).execute();
    }
  }

  private compactionWaits(): boolean {
    return this.pendingDeletes > 0 && !this.stopped;
  }

  private schedule(id: string, kind?: RequestKind) {
    const counted = kind === 'delete' || kind === 'suppress';
    if (counted) this.pendingDeletes++;
    this.tail = this.tail.then(async () => {
      if (counted) this.pendingDeletes--;
      if (this.stopped) return;
      try {
        await this.run(id);
      } catch (err) {
        this.o.onError(err, id);
        await this.finish(id, 'failed', { profiles: 0, events: 0, error: err instanceof Error ? err.message : String(err) }).catch((e) => this.o.onError(e, id));
        // Erased requests waiting for this one's compaction are completed now.
        if (!this.compactionWaits()) await this.completeErased().catch((e) => this.o.onError(e, id));
      }
    });
  }

  private async progress(id: string, step: string, progress: number) {
    await this.o.db.updateTable('privacy_requests').set({ step, progress }).where('id', '=', id).execute();
  }

  private async finish(id: string, status: 'completed' | 'failed', result: RequestResult, exportJson?: string) {
    await this.o.db
      .updateTable('privacy_requests')
      .set({ status, step: null, progress: status === 'completed' ? 1 : 0, result: JSON.stringify(result), params: null, finished_at: this.o.clock.now(), ...(exportJson !== undefined ? { export: exportJson } : {}) })
      .where('id', '=', id)
      .execute();
  }

  private async run(id: string) {
    const { db, dialect, clock, box } = this.o;
    const row = await db.selectFrom('privacy_requests').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.status === 'completed' || row.status === 'failed' || row.params === null) return;
    const sealed = JSON.parse(box.open(row.params)) as Sealed;
    await db.updateTable('privacy_requests').set({ status: 'running', started_at: row.started_at ?? clock.now() }).where('id', '=', id).execute();
    await this.progress(id, 'resolving', 0.05);
    const subject = await resolveSubject(db, dialect, this.o.hashKey, sealed.key);
    const base = { profiles: subject.profileIds.length, events: subject.seqs.length };

    if (row.kind === 'access') {
      await this.progress(id, 'exporting', 0.3);
      const doc = await buildExport({ db, dialect, log: this.o.log, profiles: this.o.profiles, consent: this.o.consent, now: clock.now() }, subject);
      await this.finish(id, 'completed', { ...base, exportAvailable: true }, JSON.stringify(doc));
      return;
    }
    if (row.kind === 'rectify') {
      await this.progress(id, 'rectifying', 0.5);
      await this.rectify(id, subject.userIds[0], subject.anonymousIds[0], sealed.traits ?? {});
      await this.finish(id, 'completed', base);
      return;
    }
    // delete and suppress
    let suppressed: number | undefined;
    if (row.kind === 'suppress') {
      await this.progress(id, 'suppressing', 0.1);
      suppressed = await this.o.suppressions.add(subject.hashes, id);
    }
    await this.progress(id, 'notifying destinations', 0.2);
    const destinations = await forwardRemovals({ ...this.o.forward, db, dialect, clock }, id, subject, row.kind);
    await this.progress(id, 'erasing', 0.5);
    const rows = await eraseSubject(db, dialect, this.o.log, subject);
    await this.progress(id, 'scrubbing import files', 0.7);
    const files = await scrubImportFiles(db, this.o.dataDir, subject.texts);
    const result: RequestResult = { ...base, rows, destinations, importLines: files.lines, importFilesBusy: files.busy, ...(suppressed !== undefined ? { suppressed } : {}) };
    this.erased.push({ id, result, proofHash: row.proof_hash, values: subject.proofValues });
    // Compaction rewrites the whole store: when more deletes wait in the queue, it runs once after the
    // last of them, and each erased request completes then (until then its bytes may still be on disk).
    if (this.compactionWaits()) {
      await this.progress(id, 'waiting for compaction', 0.8);
      return;
    }
    await this.completeErased();
  }

  /** A rectification is an identify in the log (the source of truth), so a rebuild keeps the corrected values. */
  private async rectify(id: string, userId: string | undefined, anonymousId: string | undefined, traits: Record<string, unknown>) {
    const now = this.o.clock.now();
    const event = normalise(
      'identify',
      { ...(userId ? { userId } : { anonymousId: anonymousId ?? `${PRIVACY_SOURCE}:${id}` }), traits, messageId: `${PRIVACY_SOURCE}:${id}`, timestamp: new Date(now).toISOString() },
      { sourceId: PRIVACY_SOURCE, receivedAt: now, futureToleranceMs: 0, maxEventBytes: 1 << 20 },
    );
    await this.o.log.append([event]);
  }

  private view(r: Selectable<PrivacyRequestsTable>): PrivacyRequest {
    return {
      id: r.id,
      kind: r.kind,
      status: r.status,
      step: r.step,
      progress: Number(r.progress),
      proof: { salt: r.proof_salt, hash: r.proof_hash },
      result: r.result === null ? null : (JSON.parse(r.result) as RequestResult),
      actor: r.actor,
      createdAt: iso(r.created_at)!,
      startedAt: iso(r.started_at),
      finishedAt: iso(r.finished_at),
    };
  }
}

