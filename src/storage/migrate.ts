// Applies the plain-SQL migrations of the active dialect, in file-name order, each exactly once.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db, DialectName } from './dialect.js';

const migrationsDir = (dialect: DialectName) =>
  fileURLToPath(new URL(`./migrations/${dialect}/`, import.meta.url));

export async function migrate(db: Db, dialect: DialectName): Promise<string[]> {
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`.execute(db);
  const done = new Set(
    (await sql<{ name: string }>`SELECT name FROM schema_migrations`.execute(db)).rows.map((r) => r.name),
  );
  const files = readdirSync(migrationsDir(dialect)).filter((f) => f.endsWith('.sql')).sort();
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const text = readFileSync(migrationsDir(dialect) + file, 'utf8');
    await db.transaction().execute(async (trx) => {
      // Statements are separated by semicolons at line ends; migrations contain no procedural code.
      for (const statement of text.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean)) {
        await sql.raw(statement).execute(trx);
      }
      await sql`INSERT INTO schema_migrations (name, applied_at) VALUES (${file}, ${Date.now()})`.execute(trx);
    });
    applied.push(file);
  }
  return applied;
}
