// One JSON column sealed at rest, the same way in every store that holds personal data: with a KEK
// the whole JSON value is sealed (FieldCipher) and stored as a JSON string, `"enc1.…"`, so the column
// keeps its type (TEXT on SQLite, JSONB on PostgreSQL); a sibling column names the data key (NULL: in
// clear, written before a KEK was set or without one). Each store keeps one of these per column and
// opens its rows through it; the column registers with the Reencryptor for key rotation.
import { sql } from 'kysely';
import type { Db, Dialect } from '../../storage/index.js';
import { AppError } from '../errors.js';
import type { FieldCipher } from './field-cipher.js';
import type { SealedColumn } from './reencrypt.js';

export interface SealedJsonSpec {
  table: string;
  /** The row id column (text or integer). */
  id: string;
  /** The JSON column (TEXT on SQLite, JSONB on PostgreSQL). */
  value: string;
  /** The column naming the data key, NULL for a value in clear. */
  key: string;
}

export interface StoredJson {
  value: string;
  key: string | null;
}

/** A sealed value is stored as a JSON string: text `"enc1…"` on SQLite, already decoded from JSONB on PostgreSQL. */
export const sealedText = (stored: string) => (stored.startsWith('"') ? (JSON.parse(stored) as string) : stored);

export class SealedJson {
  constructor(
    readonly spec: SealedJsonSpec,
    readonly dialect: Dialect,
    readonly cipher: FieldCipher | undefined,
  ) {}

  /** The stored form of JSON text: itself without a KEK, else sealed under the active data key. */
  store(json: string): StoredJson {
    if (!this.cipher) return { value: json, key: null };
    const { sealed, keyId } = this.cipher.seal(json);
    return { value: JSON.stringify(sealed), key: keyId };
  }

  /** The stored form of a value (JSON.stringify'd first). */
  storeValue(value: unknown): StoredJson {
    return this.store(JSON.stringify(value ?? null));
  }

  /**
   * Opens stored values (each as selected: the JSON column and its key column) into their JSON values.
   * Keys another process added are loaded once for the whole batch, then every value opens in place.
   */
  async openAll(stored: { value: unknown; key: string | null }[]): Promise<unknown[]> {
    if (stored.some((s) => s.key !== null)) {
      if (!this.cipher) throw new AppError('encryption_not_configured', 409, `${this.spec.table}.${this.spec.value} is encrypted: set MERIDIAN_KEK to read it`);
      await this.cipher.ensureKeys(stored.map((s) => s.key));
    }
    return stored.map((s) => this.openLoaded(s.value, s.key));
  }

  /** Loads the data keys these values name when one is not known yet: then openLoaded() opens them in place. */
  async ready(keys: (string | null)[]): Promise<void> {
    if (this.cipher && keys.some((k) => k !== null)) await this.cipher.ensureKeys(keys);
  }

  /** One value whose key is loaded (see openAll, ready). */
  openLoaded(value: unknown, key: string | null): unknown {
    if (key === null) return this.dialect.parseJson(value);
    if (!this.cipher) throw new AppError('encryption_not_configured', 409, `${this.spec.table}.${this.spec.value} is encrypted: set MERIDIAN_KEK to read it`);
    return JSON.parse(this.cipher.openLoaded(sealedText(value as string)));
  }

  /**
   * The column for key rotation (privacy's Reencryptor). `write` replaces where the rows live somewhere
   * this connection cannot write (the embedded log: its writer thread); by default an UPDATE here.
   */
  column(db: Db, write?: SealedColumn['replaceMany']): SealedColumn {
    const { table, id, value, key } = this.spec;
    // Written as two ranges rather than `!=` so that both halves use the key column's index.
    const unsealed = (active: string) => sql`(${sql.ref(key)} IS NULL OR ${sql.ref(key)} < ${active} OR ${sql.ref(key)} > ${active})`;
    const replaceMany: NonNullable<SealedColumn['replaceMany']> =
      write ??
      (async (rows) => {
        for (const r of rows)
          await sql`UPDATE ${sql.table(table)} SET ${sql.ref(value)} = ${r.to.value}, ${sql.ref(key)} = ${r.to.key}
            WHERE ${sql.ref(id)} = ${r.id} AND ${r.fromKeyId === null ? sql`${sql.ref(key)} IS NULL` : sql`${sql.ref(key)} = ${r.fromKeyId}`}`.execute(db);
      });
    return {
      name: `${table}.${value}`,
      pending: async (activeKeyId, limit) => {
        const { rows } = await sql<{ id: string | number; value: unknown; key: string | null }>`SELECT ${sql.ref(id)} AS id, ${sql.ref(value)} AS value, ${sql.ref(key)} AS key
          FROM ${sql.table(table)} WHERE ${unsealed(activeKeyId)} LIMIT ${limit}`.execute(db);
        return rows.map((r) => ({
          id: String(r.id),
          keyId: r.key,
          value: r.key === null ? JSON.stringify(this.dialect.parseJson(r.value)) : sealedText(r.value as string),
        }));
      },
      replace: (rowId, fromKeyId, to) => replaceMany([{ id: rowId, fromKeyId, to: { value: JSON.stringify(to.sealed), key: to.keyId } }]),
      replaceMany,
      remaining: async (activeKeyId) => {
        const { rows } = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${sql.table(table)} WHERE ${unsealed(activeKeyId)}`.execute(db);
        return Number(rows[0].n);
      },
    };
  }
}
