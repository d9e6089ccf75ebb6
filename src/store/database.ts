import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration, type MigrationProvider, type SqliteDatabase } from 'kysely';
import type { DatabaseSchema } from './schema.ts';
import { createPostgresKysely } from './postgres.ts';
import { initialMigration } from './migrations/001_initial.ts';
import { accessMigration } from './migrations/003_access.ts';
import { mfaMigration } from './migrations/004_mfa.ts';
import { auditChainMigration } from './migrations/002_audit_chain.ts';
import { auditOutboxMigration } from './migrations/005_audit_outbox.ts';
import { UnitOfWorkScope } from './unitOfWork.ts';
import { SAFETY_VALVE_PAGES, startWalCheckpointer } from './walCheckpointer.ts';

export type SqlDialectName = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: SqlDialectName;
  /** Makes one request's queries one transaction (src/store/unitOfWork.ts). */
  readonly unitOfWork: UnitOfWorkScope;
  /** Cheap round trip, for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the database named by a `sqlite:<file>` (or `sqlite::memory:`) or `postgres://…` URL
 * and brings its schema up to date. SQLite runs in WAL mode with synchronous=NORMAL: a
 * committed write survives a crash of the process; see PERF-NOTES.md for the cost of the
 * alternatives. On PostgreSQL, when every migration is already applied (by `gatehouse db
 * migrate` as the owner role) the check needs only SELECT on Kysely's two migration tables,
 * so the least-privileged runtime role can open it too (README "Running several instances").
 */
export interface OpenDatabaseOptions {
  /**
   * SQLite file databases: checkpoint the write-ahead log from a worker thread instead of
   * inside the commits of the event loop (src/store/walCheckpointer.ts). For the server; a
   * short-lived command has no use for the thread.
   */
  readonly backgroundCheckpoints?: boolean;
}

export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  throw new Error(`GATEHOUSE_DATABASE_URL: unsupported database URL (expected sqlite:<file> or postgres://…)`);
}

async function openPostgres(url: string): Promise<Database> {
  const unitOfWork = new UnitOfWorkScope();
  const { db, pool, schema } = createPostgresKysely(url, { wrapDialect: (d) => unitOfWork.wrap(d, 'begin', { statementSavepoints: true }) });
  try {
    await migrate(db, 'postgres', schema);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return {
    db,
    dialect: 'postgres',
    unitOfWork,
    ping: async () => {
      await pool.query('select 1');
    },
    close: () => db.destroy(),
  };
}

async function openSqlite(file: string, options: OpenDatabaseOptions): Promise<Database> {
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'a', 0o600));
  }
  const sqlite = new Sqlite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const unitOfWork = new UnitOfWorkScope();
  // BEGIN IMMEDIATE: a request's transaction takes the write lock at its first write, so it
  // cannot fail to upgrade later with SQLITE_BUSY when another process writes.
  const dialect = unitOfWork.wrap(new SqliteDialect({ database: withStatementCache(sqlite) }), 'begin immediate');
  const db = new Kysely<DatabaseSchema>({ dialect });
  await migrate(db, 'sqlite');
  const checkpointer = options.backgroundCheckpoints && file !== ':memory:'
    ? startWalCheckpointer(file, { onError: (err) => process.emitWarning(`WAL checkpoint thread failed: ${String(err)}`) })
    : undefined;
  if (checkpointer) sqlite.pragma(`wal_autocheckpoint = ${SAFETY_VALVE_PAGES}`);
  return {
    db,
    dialect: 'sqlite',
    unitOfWork,
    ping: async () => {
      sqlite.prepare('select 1').get();
    },
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/** Applies every pending migration; throws with the migration's name on failure. */
export async function migrate(db: Kysely<DatabaseSchema>, dialect: SqlDialectName, pgSchema = 'public'): Promise<void> {
  const migrations: Record<string, Migration> = {
    '001_initial': initialMigration(dialect),
    '003_access': accessMigration(dialect),
    '004_mfa': mfaMigration(dialect),
    '002_audit_chain': auditChainMigration(dialect),
    '005_audit_outbox': auditOutboxMigration(dialect),
  };
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  // On PostgreSQL, Kysely looks for its bookkeeping tables by name in *any* schema unless told
  // which one: with several Gatehouse schemas in one database it must look in its own.
  const migrator = new Migrator({ db, provider, ...(dialect === 'postgres' ? { migrationTableSchema: pgSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    // A least-privileged runtime role cannot create tables: say what to do instead.
    const hint = (error as { code?: string }).code === '42501' ? ' (pending migrations: run "gatehouse db migrate" as the owner role)' : '';
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}${hint}`);
  }
}

const STATEMENT_CACHE_SIZE = 512;

/**
 * SQLite only: a query whose SQL text starts with this comment returns each row as an array
 * of its column values, in select order (better-sqlite3's raw mode), instead of an object.
 * For the few reads of many rows (audit chain verification), where building an object per
 * row cost more than reading it. Other dialects ignore the comment and return objects.
 */
export const SQLITE_ROWS_AS_ARRAYS = '/* rows as arrays */';

/**
 * Kysely's SQLite driver prepares every query anew; preparing cost a sixth of a read
 * request's CPU in the benchmark profile (bench/README.md). Statements are reused by SQL text
 * (parameters are bound per call, so this changes nothing about injection safety). A
 * statement still iterating (busy) is never handed out twice: a fresh one is prepared.
 */
function withStatementCache(sqlite: Sqlite.Database): SqliteDatabase {
  const cache = new Map<string, Sqlite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const cached = cache.get(sql);
      if (cached && !cached.busy) return cached;
      const statement = sqlite.prepare(sql);
      if (statement.reader && sql.startsWith(SQLITE_ROWS_AS_ARRAYS)) statement.raw(true);
      if (!cached) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
