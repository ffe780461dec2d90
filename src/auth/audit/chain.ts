// The audit log's hash chain, pure: each entry's hash covers the previous entry's hash and every
// field of the entry, so changing, removing or reordering any row breaks every hash after it.
import { createHash } from 'node:crypto';

export const GENESIS = '0'.repeat(64);

export interface ChainedFields {
  seq: number;
  at: number;
  actor: string;
  actor_label: string | null;
  action: string;
  target: string | null;
  status: number | null;
  ip: string | null;
  details: string | null;
}

export function entryHash(prevHash: string, e: ChainedFields): string {
  const canonical = JSON.stringify([e.seq, e.at, e.actor, e.actor_label, e.action, e.target, e.status, e.ip, e.details]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

export interface ChainCheck {
  ok: boolean;
  /** Entries checked. */
  entries: number;
  /** The first entry whose stored hash (or link to the previous one) does not match. */
  brokenAt: number | null;
  lastHash: string;
}

/** Checks a run of rows in seq order, continuing from `prev` (the previous row's hash and seq). */
export function checkRun(rows: readonly (ChainedFields & { prev_hash: string; hash: string })[], prev: { hash: string; seq: number }): { brokenAt: number | null; last: { hash: string; seq: number } } {
  let last = prev;
  for (const row of rows) {
    // A gap in seq is a removed row; a wrong prev_hash or hash is an edited one.
    if (row.seq !== last.seq + 1 || row.prev_hash !== last.hash || entryHash(last.hash, row) !== row.hash) return { brokenAt: row.seq, last };
    last = { hash: row.hash, seq: row.seq };
  }
  return { brokenAt: null, last };
}
