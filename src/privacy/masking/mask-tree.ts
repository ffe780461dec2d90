// Masks the personal data inside a piece of profile data (a profile, its identities, an event, a
// trait map) for one access level. Pure: the classification decides what is personal, by key name
// (`email`, `firstName`, a custom trait marked PII) and by identifier type (`{ type: 'phone',
// value }`); `masked` rewrites each value in its kind's format, `none` removes it.
import type { Classifier } from '../classification/classifier.js';
import type { PiiKind } from '../classification/kinds.js';
import type { PiiAccess } from '../../auth/index.js';
import type { Masker } from '../../shared/masker.js';
import { maskValue } from './formats.js';

/** The identity function for `full`; otherwise a function returning a masked copy (the input is left as is). */
export function maskerFor(classifier: Classifier, access: PiiAccess): Masker {
  if (access === 'full') return (data) => data;
  const hide = access === 'none';
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (const item of node) {
        const kind = identifierKind(classifier, item);
        if (kind && hide) continue;
        out.push(kind ? { ...(item as object), value: maskValue(kind, (item as { value: unknown }).value) } : walk(item));
      }
      return out;
    }
    if (node === null || typeof node !== 'object') return node;
    const kind = identifierKind(classifier, node);
    if (kind) return hide ? null : { ...node, value: maskValue(kind, (node as { value: unknown }).value) };
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const fieldKind = classifier.kindOf(key);
      if (!fieldKind) out[key] = walk(value);
      else if (!hide) out[key] = maskField(fieldKind, value);
    }
    return out;
  };
  return walk;
}

/** A trait with provenance (`{ value, source, timestamp }`) keeps its provenance; anything else is masked whole. */
function maskField(kind: PiiKind, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'value' in value)
    return { ...value, value: maskValue(kind, (value as { value: unknown }).value) };
  if (Array.isArray(value)) return value.map((v) => maskValue(kind, v));
  return maskValue(kind, value);
}

/** `{ type: 'email', value: 'a@b.c' }` (an identity reference) → the kind of its type. */
function identifierKind(classifier: Classifier, node: unknown): PiiKind | undefined {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const { type, value } = node as { type?: unknown; value?: unknown };
  if (typeof type !== 'string' || typeof value !== 'string' || Object.keys(node).length > 3) return undefined;
  return classifier.kindOf(type);
}
