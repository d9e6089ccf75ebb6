import pg from 'pg';
import { Kysely, PostgresDialect, type Dialect } from 'kysely';
import type { DatabaseSchema } from './schema.ts';

/** PostgreSQL type oids whose text form we parse ourselves. */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Type parsers for this pool only (never pg's process-wide defaults, which other code in the
 * process may rely on). bigint comes back from pg as a string, because an int8 can exceed
 * 2^53; every bigint Gatehouse stores is a millisecond time, a sequence number or a counter,
 * all far below 2^53, so they are read as numbers, exactly as better-sqlite3 returns them.
 * A value that would lose precision throws instead of silently rounding.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return parseSafeInteger;
    return pg.types.getTypeParser(oid, format);
  },
};

function parseSafeInteger(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`database returned an integer beyond 2^53: ${text}`);
  return n;
}

export interface PostgresOptions {
  /** Unqualified table names resolve in this schema (search_path), e.g. one schema per test server. */
  readonly schema?: string;
  readonly maxConnections?: number;
  /** Wraps the dialect (the request unit of work, src/store/unitOfWork.ts). */
  readonly wrapDialect?: (dialect: Dialect) => Dialect;
}

/** A schema name we create, quote and drop ourselves: letters, digits, underscore. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A pg pool and a Kysely instance over it. `?schema=<name>` in the URL (or options.schema)
 * sets the connection's search_path, so a whole Gatehouse database can live in one schema.
 */
export function createPostgresKysely(url: string, options: PostgresOptions = {}): { db: Kysely<DatabaseSchema>; pool: pg.Pool; schema: string } {
  const parsed = new URL(url);
  const schema = options.schema ?? parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error('GATEHOUSE_DATABASE_URL: schema must match [a-z_][a-z0-9_]*');
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: options.maxConnections ?? 10,
    // Fail fast when the database is unreachable instead of queueing requests forever.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool replaces it and the next query reports the error to its caller.
  pool.on('error', () => undefined);
  const dialect = new PostgresDialect({ pool });
  return { db: new Kysely<DatabaseSchema>({ dialect: options.wrapDialect?.(dialect) ?? dialect }), pool, schema: schema ?? 'public' };
}
