// The named RFM segments, in a module of their own (no dependencies): the rule schema validates them and
// the console's rule builder lists them.
export const RFM_SEGMENTS = [
  'Champions',
  'Loyal',
  'Potential Loyalist',
  'New Customers',
  'Promising',
  'Need Attention',
  "Can't Lose Them",
  'At Risk',
  'About to Sleep',
  'Hibernating',
  'Lost',
] as const;
export type RfmSegmentName = (typeof RFM_SEGMENTS)[number];
