// Consent: a destination with a category (e.g. "advertising") receives nothing from an event or
// profile whose Segment consent preferences (context.consent.categoryPreferences) set that category
// to false. No category on the destination, or no stated preference, means allowed.
export type CategoryPreferences = Record<string, unknown>;

export function consentAllows(preferences: CategoryPreferences | undefined, category: string | null): boolean {
  if (!category || !preferences) return true;
  return preferences[category] !== false;
}

/** The preferences an event carries, if any. */
export function eventPreferences(event: Record<string, unknown>): CategoryPreferences | undefined {
  const consent = (event.context as Record<string, unknown> | undefined)?.consent as Record<string, unknown> | undefined;
  const prefs = consent?.categoryPreferences;
  return prefs && typeof prefs === 'object' && !Array.isArray(prefs) ? (prefs as CategoryPreferences) : undefined;
}
