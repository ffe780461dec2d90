// What the incremental evaluator knows about one profile: its traits, the events rules look at,
// its tags, RFM scores, predicted traits and the segments it belongs to (filled in dependency order as they are evaluated).
import type { PredictionTrait, RfmSegmentName } from './rule-schema.js';
import type { EncryptedTraits } from './encrypted-traits.js';

export interface TimelineEvent {
  seq: number;
  event: string | null;
  ts: number;
  properties: Record<string, unknown>;
}

export interface RfmValues {
  rfm_r: number;
  rfm_f: number;
  rfm_m: number;
  rfm_segment: RfmSegmentName;
}

export interface ProfileState {
  id: string;
  traits: Record<string, unknown>;
  /** Under field encryption: the blind index of each classified trait (profiles.pii_index). */
  piiIndex?: Record<string, unknown>;
  computed: Record<string, unknown>;
  /** At least every event whose name some rule mentions, in any order. */
  events: TimelineEvent[];
  tags: Set<string>;
  rfm: RfmValues | null;
  /** The predicted traits of the last refit (a trait may be null: its model was not fitted). */
  predictions: Record<PredictionTrait, number | null> | null;
  memberships: Set<string>;
}

/** How segment-level references resolve: tag name → ids of the segments flagged with it. */
export interface RuleContext {
  tagSegments: ReadonlyMap<string, readonly string[]>;
  /** Under field encryption: how rules on classified traits run (encrypted-traits.ts). */
  encrypted?: EncryptedTraits;
}
