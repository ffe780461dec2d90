// The boundary shape of a difference of two groups' means with Welch's interval (welch.ts), used by
// every answer that reports one: journey stats' lift and the analytics journey effect.
import { Type, type Static } from '@sinclair/typebox';

export const MeanDifference = Type.Object({
  difference: Type.Number({ description: 'mean of the treated group minus the holdout\'s' }),
  ci95: Type.Union([Type.Tuple([Type.Number(), Type.Number()]), Type.Null()], { description: "Welch's 95 % interval; null when a group has fewer than 2 entries or neither varies" }),
  df: Type.Union([Type.Number(), Type.Null()], { description: 'Welch–Satterthwaite degrees of freedom' }),
});
export type MeanDifference = Static<typeof MeanDifference>;

/** A difference, or null when a group is empty. */
export const MaybeDifference = Type.Union([MeanDifference, Type.Null()], { description: 'treated minus holdout; null when a group is empty' });
