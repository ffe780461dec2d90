// Deterministic assignment per profile (pure): the holdout group and A/B/n split variants come from a
// hash of the journey, the step and the profile, so a person always lands in the same group — across
// restarts, versions and processes — and the groups approach the configured percentages.
import { createHash } from 'node:crypto';

/** A number in [0, 100) from the key, uniform over keys. */
export function bucket(key: string): number {
  const h = createHash('sha256').update(key).digest();
  return (h.readUInt32BE(0) / 2 ** 32) * 100;
}

export const isHoldout = (journeyId: string, profileId: string, percent: number | undefined) =>
  (percent ?? 0) > 0 && bucket(`holdout\n${journeyId}\n${profileId}`) < (percent ?? 0);

/** The variant whose cumulative percentage range holds the profile's bucket (the last one takes any rest). */
export function pickVariant<V extends { percent: number }>(variants: V[], journeyId: string, stepId: string, profileId: string): V {
  const total = variants.reduce((s, v) => s + v.percent, 0);
  const b = (bucket(`split\n${journeyId}\n${stepId}\n${profileId}`) / 100) * total;
  let acc = 0;
  for (const v of variants) {
    acc += v.percent;
    if (b < acc) return v;
  }
  return variants[variants.length - 1];
}
