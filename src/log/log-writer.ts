// What an event looks like on its way into the log, and the contract of the writers that commit it
// (one for SQLite's writer thread, one for SQL stores), apart from the log so the writers need not import it.
import type { DataKey } from '../shared/encryption/envelope.js';
export interface NewLogEvent {
  sourceId: string;
  messageId: string;
  type: string;
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  /** Event time (skew-corrected), epoch ms. */
  ts: number;
  receivedAt: number;
  /** The normalised message as JSON text (in clear: the writer seals it when field encryption is on). */
  payload: string;
}

/** A payload moved to another data key (key rotation), stored only if still under `fromKeyId`. */
export interface ResealedPayload {
  id: string;
  fromKeyId: string | null;
  to: { value: string; key: string };
}

/** Commits one group of appends durably: claims each messageId in the dedupe window, inserts the new events. */
export interface LogWriter {
  /** `events` holds no (sourceId, messageId) twice; returns the log offset per event, null for a duplicate. */
  append(events: NewLogEvent[], dedupeCutoff: number): Promise<(number | null)[]>;
  /** Forgets messageIds last seen before `cutoff`; returns how many. */
  pruneDedupe(cutoff: number): Promise<number>;
  /** Erasure (data-subject delete): removes these events from the log for good; returns how many. */
  purge(seqs: number[]): Promise<number>;
  /**
   * Erasure: rewrites the log's storage so removed events leave no trace in its files (SQLite: checkpoint
   * + VACUUM; with `vacuum: false` the checkpoint only, deleted rows being zeroed by secure_delete).
   */
  compact(options?: { vacuum?: boolean }): Promise<void>;
  /** Key rotation where the main connection cannot write the log (SQLite): replaces payloads with their form under the active data key. */
  reseal?(rows: ResealedPayload[]): Promise<number>;
  /** After a key rotation by this process: seal later appends under this data key. */
  useDataKey?(dataKey: DataKey): void;
  close?(): Promise<void>;
}
