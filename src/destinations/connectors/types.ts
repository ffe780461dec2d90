// What every connector implements. The delivery engine owns batching, retries, ordering, rate limits
// and dead letters; a connector only turns one batch into the platform's request(s) and reports the
// outcome as an HTTP-like status.
import type { TSchema } from '@sinclair/typebox';
import type { ProfileIdentifiers } from '../identifiers.js';
import type { UploadSession } from '../sessions.js';

export interface EventItem {
  idempotencyKey: string;
  /** The (mapped) event as stored in the outbox. */
  payload: Record<string, unknown>;
}

export type OutboundBatch =
  | { kind: 'events'; items: EventItem[] }
  | {
      kind: 'audience';
      /** `replace`: this batch is part of a session that makes the audience exactly its members. */
      op: 'add' | 'remove' | 'replace';
      audienceId: string;
      members: ProfileIdentifiers[];
      idempotencyKey: string;
      /** Set when one upload spans several requests (connectors with `maxSessionBatches`); always set for `replace`. */
      session?: UploadSession;
    };

import type { AttemptResult } from '../../shared/http-attempt.js';
export type { AttemptResult };

export interface ConnectorContext {
  destinationId: string;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  now(): number;
  /** Traits of the profile an event belongs to ({} when identity has not attributed it). */
  profileTraitsForEvent(seq: number): Promise<Record<string, unknown>>;
  isOptedOut(email: string): Promise<boolean>;
  unsubscribeUrl(email: string): string;
  /** App push: the device tokens a delivery fans out to and what became of them. */
  push: PushAccess;
}

export interface PushAccess {
  /**
   * The device tokens of the profile an event (log seq) or a journey send (profile id) is for, newest
   * first; null while identity has not attributed the event to a profile yet.
   */
  tokens(ref: { seq?: number; profileId?: string }): Promise<string[] | null>;
  /** Forgets a token the platform reported dead (app uninstalled, token invalid). */
  drop(token: string): Promise<void>;
  /** Tokens this delivery already reached (a retry skips them). */
  sent(idempotencyKey: string): Promise<Set<string>>;
  markSent(idempotencyKey: string, token: string): Promise<void>;
}

export interface Connector {
  name: string;
  kinds: readonly ('events' | 'audience')[];
  /** Non-secret settings (validated on create/update). */
  config: TSchema;
  /** Secret settings, stored encrypted and never returned. */
  secrets: TSchema;
  /** Secrets Meridian creates itself when the destination is created (e.g. a link-signing key). */
  generateSecrets?(): Record<string, string>;
  /** Most items (events) or members (audience) one request may carry. */
  maxBatch: number;
  /**
   * Audience platforms with multi-request upload sessions (Meta): how many requests of `maxBatch` one
   * session may span per round. The engine then claims up to maxBatch × this and sends a larger
   * upload as one session, its batches in order.
   */
  maxSessionBatches?: number;
  /** The platform can replace an audience's whole member list with a session's members (`op: 'replace'`). */
  replace?: boolean;
  /** Events with the same key may share a request (e.g. the same LINE message to several users). */
  batchKey?(ctx: ConnectorContext, item: EventItem): string;
  testConnection(ctx: ConnectorContext): Promise<AttemptResult>;
  send(ctx: ConnectorContext, batch: OutboundBatch): Promise<AttemptResult>;
}
