// THE list of where a person's data lives: every table holding a profile id, an identifier, or
// payloads with personal data, and how a delete finds the person's rows in it. A data-subject delete
// erases exactly these (purge.ts); test/privacy-delete.test.ts fails when a table with a column that
// can hold personal data (profile_id, user_id, identifiers, payload, …) is neither here nor in
// EXEMPT_TABLES below — so a capability that adds such a table must say how it is erased.
//
// Each match is one way a row belongs to the subject:
// - profile: the column holds one of the person's profile ids (component: their identity component)
// - seq: the column holds the log offset of one of the person's events
// - key: an identifier key (`type:value`, identity graph)
// - userId / anonymousId: the raw id an event carried
// - email: a normalised email of the person
// - text: the column's text contains one of the person's identifier values (payloads kept as JSON)
// - subject: the keyed hash of the request's subject (privacy_requests: exports are dropped)
// - idempotency: `event:<seq>` keys of deliveries of the person's events
export type Match = 'profile' | 'component' | 'seq' | 'key' | 'userId' | 'anonymousId' | 'email' | 'text' | 'subject' | 'idempotency';

export interface PersonalTable {
  table: string;
  /** Rows matching any of these are the person's. */
  where: { column: string; match: Match }[];
  /** delete (default) the rows, or clear these columns (the row itself is proof of handling). */
  action?: { clear: string[] };
  /** The event log (written by the log writer, not the main connection): erased through EventLog.purge. */
  log?: true;
  /** Only rows no longer referenced: identity components left without profiles. */
  orphansOnly?: true;
  /** Why the table holds personal data (docs). */
  holds: string;
}

export const PERSONAL_DATA: PersonalTable[] = [
  { table: 'events', log: true, where: [{ column: 'seq', match: 'seq' }, { column: 'user_id', match: 'userId' }, { column: 'anonymous_id', match: 'anonymousId' }], holds: 'the event log: every message as received' },
  { table: 'events_before_log_file', where: [{ column: 'seq', match: 'seq' }, { column: 'user_id', match: 'userId' }, { column: 'anonymous_id', match: 'anonymousId' }], holds: 'SQLite stores migrated from before log.db: the old copy of the log' },
  { table: 'profiles', where: [{ column: 'id', match: 'profile' }], holds: 'traits and computed traits' },
  { table: 'profile_events', where: [{ column: 'profile_id', match: 'profile' }, { column: 'seq', match: 'seq' }], holds: 'the timeline: properties and traits per event' },
  { table: 'profile_changes', where: [{ column: 'profile_id', match: 'profile' }, { column: 'other_profile_id', match: 'profile' }], holds: 'the profile-change feed' },
  { table: 'profile_search', where: [{ column: 'profile_id', match: 'profile' }], holds: 'search terms: identifiers and trait prefixes' },
  { table: 'identity_identifiers', where: [{ column: 'profile_id', match: 'profile' }, { column: 'key', match: 'key' }], holds: 'the identity graph: identifier values' },
  { table: 'identity_profiles', where: [{ column: 'profile_id', match: 'profile' }], holds: 'identifiers and folded state per profile' },
  { table: 'identity_merges', where: [{ column: 'profile_id', match: 'profile' }, { column: 'into_profile_id', match: 'profile' }, { column: 'merged_profile_id', match: 'profile' }], holds: 'merge history with identifiers' },
  { table: 'identity_decisions', where: [{ column: 'profile_id', match: 'profile' }, { column: 'event_seq', match: 'seq' }, { column: 'identifier', match: 'key' }], holds: 'identifiers dropped from events' },
  { table: 'identity_separations', where: [{ column: 'a', match: 'key' }, { column: 'b', match: 'key' }], holds: 'identifier pairs kept apart after an unmerge' },
  { table: 'identity_unmerges', where: [{ column: 'profile_id', match: 'profile' }, { column: 'new_profile_id', match: 'profile' }], holds: 'unmerge history with identifiers' },
  { table: 'identity_components', where: [{ column: 'id', match: 'component' }], orphansOnly: true, holds: 'graph components (their tie-breaker can be an identifier)' },
  { table: 'membership_changes', where: [{ column: 'profile_id', match: 'profile' }], holds: 'segment entries and exits' },
  { table: 'segment_memberships', where: [{ column: 'profile_id', match: 'profile' }], holds: 'current segment memberships' },
  { table: 'segment_timers', where: [{ column: 'profile_id', match: 'profile' }], holds: 'time-based re-evaluations' },
  { table: 'profile_tags', where: [{ column: 'profile_id', match: 'profile' }], holds: 'tags' },
  { table: 'rfm_scores', where: [{ column: 'profile_id', match: 'profile' }], holds: 'RFM scores' },
  { table: 'prediction_scores', where: [{ column: 'profile_id', match: 'profile' }], holds: 'predicted traits (P(alive), expected orders, CLV, churn risk, purchase intent)' },
  { table: 'deliveries', where: [{ column: 'order_key', match: 'profile' }, { column: 'order_key', match: 'userId' }, { column: 'order_key', match: 'anonymousId' }, { column: 'idempotency_key', match: 'idempotency' }], holds: 'the outbox: queued and sent messages, audience uploads' },
  { table: 'journey_enrollments', where: [{ column: 'profile_id', match: 'profile' }], holds: 'journey positions and context (triggering event, cart, coupon)' },
  { table: 'journey_activity', where: [{ column: 'profile_id', match: 'profile' }], holds: 'what each journey step did for the person' },
  { table: 'coupons', where: [{ column: 'profile_id', match: 'profile' }], action: { clear: ['profile_id'] }, holds: 'which coupon code the person got (the code stays spent)' },
  { table: 'destination_members', where: [{ column: 'profile_id', match: 'profile' }], holds: 'hashed identifiers each ad platform holds' },
  { table: 'consent_events', where: [{ column: 'seq', match: 'seq' }], holds: 'consent stated by events' },
  { table: 'consent_records', where: [{ column: 'profile_id', match: 'profile' }], holds: 'consent stated through the API' },
  { table: 'email_optouts', where: [{ column: 'email', match: 'email' }], holds: 'email unsubscribes' },
  { table: 'push_tokens', where: [{ column: 'seq', match: 'seq' }], holds: 'app push device tokens (owned through the last event that carried each)' },
  { table: 'journey_enrollments', where: [{ column: 'profile_id', match: 'profile' }], holds: "each person's place in a journey, with the entry's context (triggering event, cart, coupon)" },
  { table: 'journey_activity', where: [{ column: 'profile_id', match: 'profile' }], holds: 'journey steps taken and messages sent per person' },
  { table: 'coupons', where: [{ column: 'profile_id', match: 'profile' }], action: { clear: ['profile_id'] }, holds: 'the coupon code assigned to a person (the code stays in the pool, unassigned from them)' },
  { table: 'push_sends', where: [{ column: 'idempotency_key', match: 'idempotency' }], holds: 'which devices each push delivery reached' },
  { table: 'campaign_touches', where: [{ column: 'seq', match: 'seq' }, { column: 'user_id', match: 'userId' }, { column: 'anonymous_id', match: 'anonymousId' }], holds: 'ad click ids and UTM touches per visitor' },
  { table: 'analytics_events', where: [{ column: 'seq', match: 'seq' }, { column: 'person', match: 'key' }], holds: 'analytics facts per event: pages, referrers, device and country per visitor' },
  { table: 'analytics_hourly', where: [{ column: 'person', match: 'key' }], holds: 'hourly activity and revenue per visitor' },
  { table: 'analytics_people', where: [{ column: 'person', match: 'key' }], holds: 'first visit, first order, acquisition channel, last device and country per visitor' },
  { table: 'analytics_moves', where: [{ column: 'key', match: 'key' }], holds: 'identifier keys whose profile changed, waiting to be recounted' },
  { table: 'failed_events', where: [{ column: 'payload', match: 'text' }], holds: 'rejected events as sent' },
  { table: 'stage_failures', where: [{ column: 'item', match: 'text' }, { column: 'item_key', match: 'userId' }, { column: 'item_key', match: 'anonymousId' }, { column: 'item_key', match: 'profile' }], holds: 'pipeline items set aside' },
  { table: 'webhook_fetches', where: [{ column: 'payload', match: 'text' }], holds: 'verified webhook deliveries awaiting a fetch' },
  { table: 'privacy_requests', where: [{ column: 'subject_hash', match: 'subject' }], action: { clear: ['export', 'params'] }, holds: 'access exports and rectification values (the request itself keeps a salted hash as proof)' },
];

/** Tables with a column that looks personal but holds none, and why. */
export const EXEMPT_TABLES: Record<string, string> = {
  dedupe: 'source and messageId pairs of the dedupe window: ids the SDK generated, no person data',
  dedupe_before_log_file: 'the dedupe window before log.db: messageIds only',
  privacy_suppressions: 'keyed hashes (HMAC) of refused identifiers: not reversible without the installation key',
  prediction_item_similarity: 'product ids and item-to-item similarities aggregated over every customer: no person data',
  users: "the installation's staff accounts (console users), not customers: removed with DELETE /v1/users/{id}",
  sessions: 'console sign-in sessions of staff users: token hashes, ended at sign-out or expiry',
};
