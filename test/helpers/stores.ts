// Which stores the contract tests run against: SQLite always; PostgreSQL when
// MERIDIAN_TEST_DATABASE_URL is set (.ci/run sets it), otherwise skipped with a visible message.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type StoreKind = 'sqlite' | 'postgres';
export const pgUrl = process.env.MERIDIAN_TEST_DATABASE_URL;

/** The test database's URL with `schema` as the search path: how a child server is pointed at a fresh schema. */
export const pgSchemaUrl = (schema: string) => `${pgUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;

/** The secret key of test servers on PostgreSQL, where one is required (each fresh schema stores its own check value). */
export const TEST_SECRET_KEY = '6d6572696469616e2d746573742d7365637265742d6b65792d303132333435ab';

let warned = false;
export function storesUnderTest(): StoreKind[] {
  if (!pgUrl && !warned) {
    warned = true;
    console.warn('[meridian tests] MERIDIAN_TEST_DATABASE_URL is not set: PostgreSQL contract tests are SKIPPED');
  }
  return pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A fresh PostgreSQL schema for one test server; returns it and a function that drops it. */
export async function freshPgSchema(): Promise<{ schema: string; drop: () => Promise<void> }> {
  if (!pgUrl) throw new Error('MERIDIAN_TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    schema,
    drop: async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}
