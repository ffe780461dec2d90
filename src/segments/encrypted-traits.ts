// Segment rules on classified traits under field encryption (docs/privacy.md#encryption-at-rest): the
// store keeps such a trait sealed in profiles.traits and its blind index in profiles.pii_index, so a rule
// can compare it for equality (equals, not_equals, in: the literal's blind index against the stored one,
// both normalised the same way — an email case-insensitively, a phone in E.164) and test its presence
// (exists, not_exists on traits as usual). Anything that reads the value itself — contains, starts_with,
// ranges, a path inside the trait — cannot work on ciphertext and is refused with a 422; so is any test of a
// classified event property but its presence (profile_events seals it with no index). Both evaluators
// (compile-sql.ts, evaluate.ts) ask this module, so they keep meaning the same thing.
import type { Kysely } from 'kysely';
import type { Database, Dialect } from '../storage/index.js';
import { AppError } from '../shared/errors.js';
import { vaultOf } from '../shared/encryption/pii-vault.js';
import { loadRules } from '../identity/index.js';
import type { Condition, PropertyFilter, Rule, TraitCondition, ValueTest } from './rule-schema.js';
import { splitPath } from './value-test.js';

/** What the classification and the blind index say (PiiCodec). */
interface PiiIndexer {
  kindOf(field: string): string | undefined;
  valueIndex(kind: string, value: unknown): string;
}

export class EncryptedTraits {
  /** Rewritten tests per condition object: the realtime evaluator asks for every profile. */
  private readonly memo = new WeakMap<TraitCondition, ValueTest | null>();

  constructor(private readonly pii: PiiIndexer) {}

  /**
   * The test to run on profiles.pii_index instead of the trait (literals replaced by their blind
   * index), or null when the condition runs on traits as usual; throws when it cannot run at all.
   */
  indexTest(c: TraitCondition): ValueTest | null {
    let test = this.memo.get(c);
    if (test === undefined) this.memo.set(c, (test = this.rewrite(c)));
    return test;
  }

  private rewrite(c: TraitCondition): ValueTest | null {
    if (c.source === 'computed') return null;
    const path = splitPath(c.path);
    const kind = this.pii.kindOf(path[0]);
    if (kind === undefined || c.op === 'exists' || c.op === 'not_exists') return null;
    if (path.length === 1 && c.op === 'in') return { op: 'in', value: c.value.map((v) => this.pii.valueIndex(kind, v)) };
    if (path.length === 1 && (c.op === 'equals' || c.op === 'not_equals')) return { op: c.op, value: this.pii.valueIndex(kind, c.value) };
    throw new AppError(
        'rule_on_encrypted_field',
        422,
        `trait ${path[0]} is encrypted at rest (${kind}): a rule can test it only with equals, not_equals, in, exists or not_exists` +
          (path.length > 1 ? `, on the whole trait, not ${c.path}` : `, not ${c.op}`),
        { path: c.path, op: c.op, kind },
      );
  }

  /**
   * An event property filter or aggregate on a classified property: profile_events keeps such a property
   * sealed (no blind index), so only its presence can be tested.
   */
  private checkProperty(property: string, op: string | undefined) {
    const path = splitPath(property);
    const name = path[0];
    const kind = this.pii.kindOf(name);
    if (kind === undefined || ((op === 'exists' || op === 'not_exists') && path.length === 1)) return;
    throw new AppError(
      'rule_on_encrypted_field',
      422,
      `event property ${name} is encrypted at rest (${kind}): a rule can test only whether it exists (exists, not_exists), not ${op ?? 'an aggregate of it'}`,
      { path: property, op: op ?? 'aggregate', kind },
    );
  }

  private checkWhere(where: PropertyFilter[] | undefined) {
    for (const f of where ?? []) this.checkProperty(f.property, f.op);
  }

  /** Refuses a rule the evaluators could not run (create, update, preview answer 422 before any work). */
  check(rule: Rule): void {
    const visit = (c: Condition): void => {
      if (c.type === 'and' || c.type === 'or') c.conditions.forEach(visit);
      else if (c.type === 'not') visit(c.condition);
      else if (c.type === 'trait') this.indexTest(c);
      else if (c.type === 'event') {
        this.checkWhere(c.where);
        if (c.aggregate) this.checkProperty(c.aggregate.property, undefined);
      } else if (c.type === 'occurrence') this.checkWhere(c.where);
      else if (c.type === 'sequence') {
        this.checkWhere(c.first.where);
        this.checkWhere(c.then.where);
      }
    };
    visit(rule.root);
  }
}

/** The rules of this store's field encryption, or undefined without a KEK (traits are compared in clear). */
export async function encryptedTraitsOf(q: Kysely<Database>, dialect: Dialect): Promise<EncryptedTraits | undefined> {
  const vault = vaultOf(dialect);
  if (!vault) return undefined;
  return new EncryptedTraits(await vault.codec((await loadRules(q)).defaultCountry, q));
}
