// The classification in force: the defaults, overridden field by field by what an admin set
// (`/v1/privacy/classification` or MERIDIAN_PII_FIELDS). Pure: built from the stored rows.
import { DEFAULT_CLASSIFICATION, normalField, type PiiKind } from './kinds.js';

/** What an admin set for a field: a kind, or `none` to declassify a default. */
export type FieldSetting = PiiKind | 'none';

export class Classifier {
  private readonly kinds = new Map<string, PiiKind>();

  constructor(overrides: Readonly<Record<string, FieldSetting>> = {}) {
    for (const [field, kind] of Object.entries(DEFAULT_CLASSIFICATION)) this.kinds.set(field, kind);
    for (const [field, kind] of Object.entries(overrides)) {
      if (kind === 'none') this.kinds.delete(normalField(field));
      else this.kinds.set(normalField(field), kind);
    }
  }

  /** The kind of a trait, property or identifier type; undefined when it is not personal data. */
  kindOf(field: string): PiiKind | undefined {
    return this.kinds.get(normalField(field));
  }

  /** Every classified field (normal form) and its kind, sorted. */
  entries(): [string, PiiKind][] {
    return [...this.kinds].sort(([a], [b]) => a.localeCompare(b));
  }
}
