import crypto from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/store/database.ts';

/**
 * Which database the suite runs on: SQLite in memory by default; with
 * GATEHOUSE_TEST_DATABASE_URL=postgres://… (npm run test:postgres) every test database is a
 * fresh schema in that PostgreSQL database, created here and dropped on close, so test files
 * run in parallel without seeing each other. An unreachable PostgreSQL fails the test: it is
 * never skipped.
 */
export const TEST_POSTGRES_URL = process.env.GATEHOUSE_TEST_DATABASE_URL || undefined;

/** A database URL for one test server, and how to throw it away afterwards. */
export interface TestDatabaseUrl {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database: `sqlite::memory:`, or a new PostgreSQL schema. */
export async function createTestDatabaseUrl(): Promise<TestDatabaseUrl> {
  if (!TEST_POSTGRES_URL) return { url: 'sqlite::memory:', drop: async () => undefined };
  const schema = `t_${crypto.randomBytes(8).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  await waitUntilVisible(schema);
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('schema', schema);
  return { url: url.toString(), drop: async () => void (await adminQuery(`drop schema if exists ${schema} cascade`)) };
}

/** Opens a fresh test database (migrated); closing it also drops its schema. */
export async function openTestDatabase(): Promise<Database> {
  const target = await createTestDatabaseUrl();
  const database = await openDatabase(target.url);
  return {
    ...database,
    close: async () => {
      await database.close();
      await target.drop();
    },
  };
}

/** One statement as the test database's (owner) user, on a short-lived connection. */
export async function adminQuery(statement: string, url = TEST_POSTGRES_URL): Promise<pg.QueryResult> {
  if (!url) throw new Error('adminQuery needs GATEHOUSE_TEST_DATABASE_URL');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Under the parallel PostgreSQL run, a migration once failed with "schema … does not exist"
 * right after the schema was created (2 of ~400 in one CI rehearsal, cause not found). Make sure
 * a fresh connection sees it before the server's pool uses it; time out loudly otherwise.
 */
async function waitUntilVisible(schema: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const found = await adminQuery(`select 1 from pg_catalog.pg_namespace where nspname = '${schema}'`);
    if (found.rowCount === 1) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`test schema ${schema} never became visible`);
}
