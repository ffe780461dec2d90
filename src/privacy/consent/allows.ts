// The one consent decision every send goes through (event forwarding, audience sync, journeys' sends
// through the destinations outbox): may data of this person go to a destination of this category?
// Preferences are Segment's consent object (context.consent.categoryPreferences): keys are category
// ids, values booleans. A stated `false` refuses; no category on the destination, no statement for the
// category, or a required (necessary) category allows. Category ids match case-insensitively, as CMPs
// write "Advertising" where a destination says "advertising". Pure.
export type CategoryPreferences = Record<string, unknown>;

export interface ConsentCheck {
  /** Categories a person cannot refuse (the workspace's required ones, e.g. necessary). */
  required?: ReadonlySet<string>;
}

/** The preference stated for `category` in `preferences`, if any (case-insensitive key). */
export function statedPreference(preferences: CategoryPreferences | undefined, category: string): boolean | undefined {
  if (!preferences) return undefined;
  const wanted = category.toLowerCase();
  for (const [key, value] of Object.entries(preferences)) if (key.toLowerCase() === wanted && typeof value === 'boolean') return value;
  return undefined;
}

/**
 * Whether a send to a destination of `category` is allowed. Several statements (the event's own
 * preferences, then the profile's latest) are read in order: the first that states the category decides.
 */
export function consentAllows(preferences: CategoryPreferences | undefined | (CategoryPreferences | undefined)[], category: string | null, check: ConsentCheck = {}): boolean {
  if (!category) return true;
  if (check.required?.has(category.toLowerCase())) return true;
  for (const prefs of [preferences].flat()) {
    const stated = statedPreference(prefs, category);
    if (stated !== undefined) return stated;
  }
  return true;
}

/** The preferences an event carries, if any. */
export function eventPreferences(event: Record<string, unknown>): CategoryPreferences | undefined {
  const consent = (event.context as Record<string, unknown> | undefined)?.consent as Record<string, unknown> | undefined;
  const prefs = consent?.categoryPreferences;
  return prefs && typeof prefs === 'object' && !Array.isArray(prefs) && Object.keys(prefs).length > 0 ? (prefs as CategoryPreferences) : undefined;
}

/** Later statements override earlier ones, category by category (keys lower-cased). */
export function foldPreferences(statements: CategoryPreferences[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const s of statements) for (const [k, v] of Object.entries(s)) if (typeof v === 'boolean') out[k.toLowerCase()] = v;
  return out;
}
