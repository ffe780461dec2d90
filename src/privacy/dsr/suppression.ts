// The suppression list: keyed hashes of the identifiers of people who asked to be forgotten and not
// collected again. The event log admits no event carrying one of them (EventLog.admitWith), whatever
// path it came by — tracking API, connectors, imports. Hashes only: the list cannot be read back into
// emails or phone numbers without the installation's key.
import type { Db } from '../../storage/index.js';
import type { Admission, NewLogEvent } from '../../log/index.js';
import type { Clock } from '../../shared/clock.js';
import { extractIdentifiers, loadRules, type IdentityRules } from '../../identity/index.js';
import { keyedHash } from './subject.js';

/** How long another process's additions (and rule changes) may take to be seen here. */
const REFRESH_MS = 5_000;

export class Suppressions {
  private hashes = new Set<string>();
  private rules?: IdentityRules;
  private loadedAt = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly hashKey: Buffer,
    private readonly clock: Clock,
  ) {}

  async add(hashes: string[], requestId: string): Promise<number> {
    const at = this.clock.now();
    for (let i = 0; i < hashes.length; i += 500)
      await this.db
        .insertInto('privacy_suppressions')
        .values(hashes.slice(i, i + 500).map((hash) => ({ hash, request_id: requestId, at })))
        .onConflict((oc) => oc.column('hash').doNothing())
        .execute();
    for (const h of hashes) this.hashes.add(h);
    return hashes.length;
  }

  readonly admission: Admission = async (events: NewLogEvent[]) => {
    await this.refresh();
    if (this.hashes.size === 0) return events.map(() => true);
    return events.map((e) => !extractIdentifiers(JSON.parse(e.payload) as Record<string, unknown>, this.rules!).ids.some((id) => this.hashes.has(keyedHash(this.hashKey, id.key))));
  };

  private async refresh() {
    const now = this.clock.now();
    if (now - this.loadedAt < REFRESH_MS && now >= this.loadedAt) return;
    const [rows, rules] = await Promise.all([this.db.selectFrom('privacy_suppressions').select('hash').execute(), loadRules(this.db)]);
    this.hashes = new Set(rows.map((r) => r.hash));
    this.rules = rules;
    this.loadedAt = now;
  }
}
