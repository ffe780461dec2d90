// Segment members as export rows, optionally with each member's contacts (email and phone
// identifiers, name trait) for activation outside Meridian. Rows pass through the caller's masker,
// so an export shows personal data at the level the caller may see it, like the API does.
import type { Db, Dialect } from '../storage/index.js';
import { revealKeys } from '../identity/index.js';
import { openJson } from '../shared/encryption/pii-vault.js';
import type { SegmentService } from './service.js';

export interface ExportRow {
  profileId: string;
  enteredAt: string;
  contacts?: { email: string | null; phone: string | null; name: string | null };
}

export async function* memberRows(db: Db, dialect: Dialect, segments: SegmentService, id: string, withContacts: boolean, mask: (d: unknown) => unknown): AsyncGenerator<ExportRow[]> {
  for (let cursor: string | undefined; ; ) {
    const page = await segments.members(id, 5000, cursor);
    const contacts = withContacts ? await contactsOf(db, dialect, page.data.map((m) => m.profileId)) : undefined;
    yield page.data.map((m) =>
      mask({ profileId: m.profileId, enteredAt: new Date(m.enteredAt).toISOString(), ...(contacts ? { contacts: contacts.get(m.profileId) ?? empty() } : {}) }) as ExportRow,
    );
    if (!page.next) return;
    cursor = page.next;
  }
}

export const noContacts = (): NonNullable<ExportRow['contacts']> => ({ email: null, phone: null, name: null });
const empty = () => ({ email: null, phone: null, name: null });

/** Each profile's email and phone identifiers and name trait (null where it has none); unmasked. */
export async function contactsOf(db: Db, dialect: Dialect, profileIds: string[]): Promise<Map<string, NonNullable<ExportRow['contacts']>>> {
  const out = new Map<string, NonNullable<ExportRow['contacts']>>();
  if (profileIds.length === 0) return out;
  const rows = await db.selectFrom('identity_profiles').select(['profile_id', 'identifiers', 'state']).where('profile_id', 'in', profileIds).execute();
  // Under field encryption email and phone keys are blind indexes: their values are read where sealed.
  const keys = rows.map((r) => JSON.parse(r.identifiers) as string[]);
  const revealed = await revealKeys(db, dialect, [...new Set(keys.flat())]);
  for (const [n, r] of rows.entries()) {
    const ids = keys[n].map((k) => revealed.get(k)!);
    const traits = (await openJson<{ traits: Record<string, { value: unknown }> }>(dialect, r.state)).traits;
    const name = traits.name?.value;
    out.set(r.profile_id, {
      email: ids.find((i) => i.type === 'email')?.value ?? null,
      phone: ids.find((i) => i.type === 'phone')?.value ?? null,
      name: typeof name === 'string' ? name : null,
    });
  }
  return out;
}

const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** CSV lines: a header, then one line per member (contacts empty where the caller may not see them). */
export async function* membersCsv(rows: AsyncGenerator<ExportRow[]>, withContacts: boolean): AsyncGenerator<string> {
  yield withContacts ? 'profile_id,entered_at,email,phone,name\n' : 'profile_id,entered_at\n';
  for await (const page of rows)
    yield page
      .map((m) => {
        const cells = [m.profileId, m.enteredAt];
        if (withContacts) cells.push(m.contacts?.email ?? '', m.contacts?.phone ?? '', m.contacts?.name ?? '');
        return cells.map(csvField).join(',') + '\n';
      })
      .join('');
}

/** NDJSON lines: one JSON object per member. */
export async function* membersNdjson(rows: AsyncGenerator<ExportRow[]>): AsyncGenerator<string> {
  for await (const page of rows) yield page.map((m) => JSON.stringify(m) + '\n').join('');
}
