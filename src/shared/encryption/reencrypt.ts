// The background half of a key rotation: moves every sealed value (and every value stored in clear
// before encryption was turned on) to the active data key, in small batches so ingestion and reads
// go on meanwhile. Each column that holds sealed values registers itself as a target.
import type { FieldCipher } from './field-cipher.js';

export interface SealedColumn {
  name: string;
  /** Up to `limit` rows not sealed with `activeKeyId` (in clear or under an older key). */
  pending(activeKeyId: string, limit: number): Promise<{ id: string; value: string; keyId: string | null }[]>;
  /** Replaces a row's value, only if it is still under `fromKeyId` (a concurrent change wins). */
  replace(id: string, fromKeyId: string | null, to: { sealed: string; keyId: string }): Promise<void>;
  /**
   * A batch of replace() at once, each value already in its stored form (see sealed-json.ts): for
   * columns written through another connection (the embedded event log's writer thread), one
   * round trip and one commit per batch instead of one per row.
   */
  replaceMany?(rows: { id: string; fromKeyId: string | null; to: { value: string; key: string } }[]): Promise<void>;
  /** Rows not yet under `activeKeyId`. */
  remaining(activeKeyId: string): Promise<number>;
  /**
   * For a value that holds several sealed parts (a JSON object whose classified fields are sealed, like
   * profiles.traits): the value with every part under the active key. Without it the value is one
   * sealed string.
   */
  reseal?(value: string, cipher: FieldCipher): Promise<{ sealed: string; keyId: string }>;
}

export interface ReencryptStatus {
  running: boolean;
  reencrypted: number;
  error: string | null;
}

const BATCH = 200;

export class Reencryptor {
  private run: Promise<void> | undefined;
  private stopping = false;
  readonly status: ReencryptStatus = { running: false, reencrypted: 0, error: null };

  constructor(
    private readonly cipher: FieldCipher,
    private readonly columns: SealedColumn[],
    private readonly onError: (err: unknown) => void,
  ) {}

  get running() {
    return this.run !== undefined;
  }

  /** Starts a pass unless one is running; resolves when it ends. */
  start(): Promise<void> {
    this.run ??= this.pass().finally(() => {
      this.run = undefined;
      this.status.running = false;
    });
    return this.run;
  }

  async stop() {
    this.stopping = true;
    await this.run;
  }

  async remaining(): Promise<number> {
    let n = 0;
    for (const c of this.columns) n += await c.remaining(this.cipher.activeKeyId);
    return n;
  }

  private async pass() {
    this.status.running = true;
    this.status.reencrypted = 0;
    this.status.error = null;
    try {
      for (const column of this.columns) {
        for (;;) {
          if (this.stopping) return;
          const rows = await column.pending(this.cipher.activeKeyId, BATCH);
          if (rows.length === 0) break;
          const moved = [];
          for (const r of rows) {
            if (column.reseal) {
              await column.replace(r.id, r.keyId, await column.reseal(r.value, this.cipher));
              this.status.reencrypted += 1;
              continue;
            }
            const plain = r.keyId === null ? r.value : await this.cipher.open(r.value);
            const to = this.cipher.seal(plain);
            if (column.replaceMany) moved.push({ id: r.id, fromKeyId: r.keyId, to: { value: JSON.stringify(to.sealed), key: to.keyId } });
            else await column.replace(r.id, r.keyId, to);
          }
          if (column.replaceMany) await column.replaceMany(moved);
          this.status.reencrypted += rows.length;
        }
      }
    } catch (err) {
      this.status.error = (err as Error).message;
      this.onError(err);
    }
  }
}
