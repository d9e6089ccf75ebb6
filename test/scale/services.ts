/**
 * Where the scale suite finds its services (npm run test:scale; .ci/run starts them). None is
 * optional: a missing PostgreSQL, Redis or HAProxy fails the suite, it is never skipped.
 */
export const PG_URL = process.env.GATEHOUSE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** A fresh schema in the scale suite's PostgreSQL (shared by several servers), and how to drop it. */
export async function createScaleDatabase(prefix = 's'): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const { adminQuery } = await import('../helpers/testDatabase.ts');
  const schema = `${prefix}_${Math.random().toString(16).slice(2, 12)}`;
  await adminQuery(`create schema ${schema}`, PG_URL);
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  return { url: url.toString(), schema, drop: async () => void (await adminQuery(`drop schema if exists ${schema} cascade`, PG_URL)) };
}
