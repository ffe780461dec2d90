// Every process sharing a store must hold the same secret key. The first process to start stores the
// key's check value (SecretBox.checkValue) in `settings`; a process with another key then refuses to
// start with a message saying so, instead of failing later at each secret it reads (a destination
// errored, a webhook rejected). A store that already holds secrets from before this check is
// verified once by opening one of them.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import type { SecretBox } from './secret-box.js';

const SETTING = 'secret_key_check';

export async function verifySecretKey(db: Db, box: SecretBox, now: number): Promise<void> {
  const value = box.checkValue();
  const stored = await db.selectFrom('settings').select('value').where('name', '=', SETTING).executeTakeFirst();
  if (stored) {
    if (stored.value !== value) throw mismatch('its check value in the database was stored by a process with another key');
    return;
  }
  const sealed = await sql<{ sealed: string }>`SELECT secrets AS sealed FROM destinations WHERE secrets IS NOT NULL
    UNION ALL SELECT secret AS sealed FROM source_connectors WHERE secret IS NOT NULL LIMIT 1`.execute(db);
  if (sealed.rows[0]) {
    try {
      box.open(sealed.rows[0].sealed);
    } catch {
      throw mismatch('the secrets already stored cannot be opened with it');
    }
  }
  await db.insertInto('settings').values({ name: SETTING, value, updated_at: now }).onConflict((oc) => oc.column('name').doNothing()).execute();
  // Two first processes may race: the one whose insert lost checks against the winner's.
  const winner = await db.selectFrom('settings').select('value').where('name', '=', SETTING).executeTakeFirstOrThrow();
  if (winner.value !== value) throw mismatch('another process stored the check value of another key at the same time');
}

const mismatch = (why: string) =>
  new Error(
    `the secret key (MERIDIAN_SECRET_KEY, MERIDIAN_SECRET_KEY_FILE or <data dir>/secret.key) is not the key of this database: ${why}. ` +
      'Start every process that shares the database with the same key (docs/operations.md#secret-key).',
  );
