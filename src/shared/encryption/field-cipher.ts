// Field encryption at rest: the data keys (table privacy_data_keys, each wrapped under the KEK) and
// sealing/opening values with them. Data keys are few and held unwrapped in memory; a value sealed
// by another process with a key this one has not seen yet makes it reload them.
import type { Db } from '../../storage/index.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { keyIdOf, newDataKey, open, seal, unwrapKey, wrapKey, type DataKey } from './envelope.js';
import { BlindIndex } from './blind-index.js';
import type { Keks } from './kek.js';

export interface DataKeyView {
  id: string;
  kekId: string;
  active: boolean;
  createdAt: string;
}

export class FieldCipher {
  private keys = new Map<string, DataKey>();
  private active!: DataKey;
  private readonly rotated = new Set<(active: DataKey) => void>();
  private index!: BlindIndex;
  /** The raw index key, for the identity prefetch thread, which computes identifier blind indexes too. */
  private indexKey!: Buffer;

  private constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keks: Keks,
  ) {}

  /**
   * The cipher of this installation, or undefined when no KEK is configured and nothing was ever
   * encrypted. Fails fast when values are encrypted under a KEK this process was not given.
   */
  static async open(db: Db, clock: Clock, keks: Keks | undefined): Promise<FieldCipher | undefined> {
    if (!keks) {
      const any = await db.selectFrom('privacy_data_keys').select('id').limit(1).executeTakeFirst();
      if (any)
        throw new Error('field values in this store are encrypted: set MERIDIAN_KEK (or MERIDIAN_KEK_FILE) to the key-encryption key they were written with (docs/privacy.md#encryption-at-rest)');
      return undefined;
    }
    const cipher = new FieldCipher(db, clock, keks);
    await cipher.load();
    if (!cipher.activeOrUndefined()) await cipher.addActiveKey();
    await cipher.loadIndexKey();
    return cipher;
  }

  private activeOrUndefined() {
    return this.active as DataKey | undefined;
  }

  private async load() {
    const rows = await this.db.selectFrom('privacy_data_keys').selectAll().orderBy('created_at').execute();
    const keys = new Map<string, DataKey>();
    for (const r of rows) {
      const kek = this.kekOf(r.kek_id);
      if (!kek)
        throw new Error(
          `data key ${r.id} is wrapped by KEK ${r.kek_id}, which is neither MERIDIAN_KEK (${this.keks.current.id}) nor MERIDIAN_KEK_PREVIOUS` +
            (this.keks.previous ? ` (${this.keks.previous.id})` : '') + ': start with the key it was written with (docs/privacy.md#key-rotation)',
        );
      try {
        keys.set(r.id, unwrapKey(kek.key, r.id, r.wrapped));
      } catch {
        throw new Error(`data key ${r.id} cannot be unwrapped with KEK ${kek.id}: the key file or variable was changed`);
      }
      if (Number(r.active) === 1) this.active = keys.get(r.id)!;
    }
    this.keys = keys;
  }

  private async addActiveKey() {
    const key = newDataKey(newId('dek'));
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('privacy_data_keys').set({ active: 0 }).where('active', '=', 1).execute();
      await trx
        .insertInto('privacy_data_keys')
        .values({ id: key.id, kek_id: this.keks.current.id, wrapped: wrapKey(this.keks.current.key, key), active: 1, created_at: this.clock.now() })
        .execute();
    });
    this.keys.set(key.id, key);
    this.active = key;
  }

  /**
   * The blind index key (privacy_index_keys), made on the first start with a KEK. Another process may
   * make it at the same moment: the insert ignores a conflict and everyone reads the one that won.
   */
  private async loadIndexKey() {
    let row = await this.db.selectFrom('privacy_index_keys').selectAll().orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
    if (!row) {
      const made = newDataKey('bik_1');
      await this.db
        .insertInto('privacy_index_keys')
        .values({ id: made.id, kek_id: this.keks.current.id, wrapped: wrapKey(this.keks.current.key, made), created_at: this.clock.now() })
        .onConflict((oc) => oc.doNothing())
        .execute();
      row = (await this.db.selectFrom('privacy_index_keys').selectAll().orderBy('created_at').orderBy('id').limit(1).executeTakeFirst())!;
    }
    const kek = this.kekOf(row.kek_id);
    if (!kek) throw new Error(`the blind index key is wrapped by KEK ${row.kek_id}, which is neither MERIDIAN_KEK nor MERIDIAN_KEK_PREVIOUS: start with the key it was written with (docs/privacy.md#key-rotation)`);
    let key: DataKey;
    try {
      key = unwrapKey(kek.key, row.id, row.wrapped);
    } catch {
      throw new Error(`the blind index key cannot be unwrapped with KEK ${kek.id}: the key file or variable was changed`);
    }
    this.indexKey = key.key;
    this.index = new BlindIndex(row.id, key.key);
  }

  private kekOf(id: string) {
    return id === this.keks.current.id ? this.keks.current : id === this.keks.previous?.id ? this.keks.previous : undefined;
  }

  /** The keyed blind index (HMAC) of values the store compares for equality. */
  get blindIndex(): BlindIndex {
    return this.index;
  }

  get blindIndexKey(): Buffer {
    return this.indexKey;
  }

  get activeKeyId(): string {
    return this.active.id;
  }

  get kekId(): string {
    return this.keks.current.id;
  }

  seal(plain: string): { keyId: string; sealed: string } {
    return { keyId: this.active.id, sealed: seal(this.active, plain) };
  }

  async open(sealed: string): Promise<string> {
    const id = keyIdOf(sealed);
    if (id) await this.ensureKeys([id]);
    return this.openLoaded(sealed);
  }

  /**
   * Loads the data keys again when one of these ids is not known yet (a key another process added):
   * after it, openLoaded() opens values sealed under any of them without awaiting, row by row.
   */
  async ensureKeys(ids: Iterable<string | null>): Promise<void> {
    for (const id of ids) if (id !== null && !this.keys.has(id)) return this.load();
  }

  /** Opens a value whose data key is loaded (see ensureKeys). */
  openLoaded(sealed: string): string {
    const id = keyIdOf(sealed);
    if (!id) throw new AppError('internal', 500, 'a stored value is not in the sealed format');
    const key = this.keys.get(id);
    if (!key) throw new AppError('internal', 500, `a stored value names data key ${id}, which is not in privacy_data_keys`);
    return open(key, sealed);
  }

  /**
   * The active data key itself, for a thread that seals off the event loop (the log writer): it is
   * passed in memory only, never stored or logged. onRotate() tells when it changes.
   */
  activeDataKey(): DataKey {
    return this.active;
  }

  /** Every data key loaded, for a thread that opens values (the identity prefetch thread). */
  dataKeys(): DataKey[] {
    return [...this.keys.values()];
  }

  /** Called with the new active data key after each rotation by this process. */
  onRotate(listener: (active: DataKey) => void): void {
    this.rotated.add(listener);
  }

  /**
   * KEK rotation, first half: every data key is rewrapped under the current KEK (after which the
   * previous KEK can be destroyed) and a new data key becomes active. Values move to it in the
   * background (Reencryptor); old data keys stay, wrapped under the new KEK, for values not moved yet.
   */
  async rotate(): Promise<void> {
    await this.load();
    await this.db.transaction().execute(async (trx) => {
      for (const key of this.keys.values())
        await trx.updateTable('privacy_data_keys').set({ kek_id: this.keks.current.id, wrapped: wrapKey(this.keks.current.key, key) }).where('id', '=', key.id).execute();
      // The blind index key is rewrapped, never replaced: every stored index value depends on it.
      await trx
        .updateTable('privacy_index_keys')
        .set({ kek_id: this.keks.current.id, wrapped: wrapKey(this.keks.current.key, { id: this.index.id, key: this.indexKey }) })
        .where('id', '=', this.index.id)
        .execute();
    });
    await this.addActiveKey();
    for (const listener of this.rotated) listener(this.active);
  }

  async list(): Promise<DataKeyView[]> {
    const rows = await this.db.selectFrom('privacy_data_keys').select(['id', 'kek_id', 'active', 'created_at']).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, kekId: r.kek_id, active: Number(r.active) === 1, createdAt: new Date(Number(r.created_at)).toISOString() }));
  }
}
