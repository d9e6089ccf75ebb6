import { CompiledQuery, SqliteIntrospector, sql, type Kysely, type Selectable } from 'kysely';
import type { AuditLogTable, DatabaseSchema } from '../store/schema.ts';
import { SQLITE_ROWS_AS_ARRAYS, type SqlDialectName } from '../store/database.ts';
import { GENESIS, type ChainedRecord, type ChainLink } from './chain/chain.ts';
import type { Checkpoint } from './chain/checkpoint.ts';

type Db = Kysely<DatabaseSchema>;

/**
 * Runs `work` in a transaction that holds the audit log's write lock from its first
 * statement, so that reading the chain's tail and appending after it cannot interleave with
 * another writer, in this process or in another instance sharing the database (issue 9).
 * - SQLite: BEGIN IMMEDIATE takes the database's one write lock up front (a deferred
 *   transaction that reads first could fail to upgrade with SQLITE_BUSY); other writers wait
 *   up to busy_timeout.
 * - PostgreSQL: a transaction-scoped advisory lock on a constant key serializes chain
 *   appends across instances and is released at COMMIT/ROLLBACK; readers are not blocked.
 *   Exercised by npm run test:postgres and by three instances in test/scale/cluster.test.ts.
 */
export async function withAuditWriteLock<T>(db: Db, dialect: SqlDialectName, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    if (dialect === 'sqlite') await sql`begin immediate`.execute(conn);
    else {
      await sql`begin`.execute(conn);
      await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(conn);
    }
    try {
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}

/** Arbitrary, fixed: "GHAUDIT" in ASCII, so the lock is recognisable in pg_locks. */
const AUDIT_LOCK_KEY = 0x47484155444954n.toString();

/** Where the next record must attach: the newest record, else the newest prune anchor, else genesis. */
export async function readTail(db: Db): Promise<ChainLink> {
  const last = await db.selectFrom('audit_log').select(['seq', 'mac']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  // A record written before the chain existed has no MAC: the chain starts after it from ''.
  if (last) return { seq: Number(last.seq), mac: last.mac ?? '' };
  const anchor = await readAnchor(db);
  return anchor ? { seq: anchor.seq, mac: anchor.mac } : GENESIS;
}

/** The newest anchor left by pruning, if any. */
export async function readAnchor(db: Db): Promise<Checkpoint | undefined> {
  const row = await db.selectFrom('audit_anchors').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? { v: 1, seq: Number(row.seq), mac: row.mac, time: row.time, keyId: row.key_id, sig: row.sig } : undefined;
}

/** The columns of a chained record, in the order `fromColumns` reads and `insertChained` writes them. */
const COLUMNS = [
  'seq', 'time', 'request_id', 'phase', 'actor', 'actor_type', 'auth_method', 'client_address', 'user_agent',
  'method', 'route', 'resource', 'outcome', 'reason', 'status', 'key_id', 'mac',
] as const;

// On SQLite the rows come back as arrays (no object per row: it cost more than reading it).
const SELECT_PAGE = `${SQLITE_ROWS_AS_ARRAYS} select ${COLUMNS.join(', ')} from audit_log`;

/** Records with `seq` > `afterSeq`, ascending, at most `limit` (a keyset page: the primary key's index, no offset). */
export async function readPage(db: Db, afterSeq: number, limit: number): Promise<ChainedRecord[]> {
  const { rows } = await sql<unknown>`${sql.raw(SELECT_PAGE)} where seq > ${afterSeq} order by seq asc limit ${limit}`.execute(db);
  return rows.map((row) => (Array.isArray(row) ? fromColumns(row) : fromRow(row as Selectable<AuditLogTable>)));
}

/**
 * Inserts chained records; call it inside a transaction (withAuditWriteLock), so that a batch
 * is stored whole or not at all. The SQL is written here once instead of being built by
 * Kysely per batch (a tenth of an append's CPU).
 * - SQLite: one cached single-row statement per record. Multi-row INSERTs cost SQLite about
 *   a third more CPU (measured with bench/audit/chain.ts; part of it is the statement journal,
 *   a temporary file, that SQLite keeps for a statement which might fail halfway).
 * - PostgreSQL: multi-row statements of up to ROWS_PER_STATEMENT rows (a round trip each).
 */
export async function insertChained(db: Db, records: readonly ChainedRecord[]): Promise<void> {
  if (isSqlite(db)) {
    for (const record of records) await db.executeQuery(CompiledQuery.raw(INSERT_ONE_SQLITE, columnValues(record)));
    return;
  }
  for (let i = 0; i < records.length; i += ROWS_PER_STATEMENT) {
    const rows = Math.min(ROWS_PER_STATEMENT, records.length - i);
    await db.executeQuery(CompiledQuery.raw(insertSqlPostgres(rows), records.slice(i, i + rows).flatMap(columnValues)));
  }
}

/** 2,000 rows × 17 columns stays below PostgreSQL's 65,535 parameters per statement. */
const ROWS_PER_STATEMENT = 2000;

const INSERT_ONE_SQLITE = `insert into audit_log (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`;

function isSqlite(db: Db): boolean {
  return db.introspection instanceof SqliteIntrospector;
}

/** `insert into audit_log (…) values ($1, …), …` for `rows` rows. */
function insertSqlPostgres(rows: number): string {
  let n = 0;
  const tuple = () => `(${COLUMNS.map(() => `$${++n}`).join(', ')})`;
  return `insert into audit_log (${COLUMNS.join(', ')}) values ${Array.from({ length: rows }, tuple).join(', ')}`;
}

/** A record's values in COLUMNS order. */
function columnValues(r: ChainedRecord): unknown[] {
  return [r.seq, r.time, r.requestId, r.phase, r.actor, r.actorType, r.authMethod, r.clientAddress, r.userAgent,
    r.method, r.route, r.resource, r.outcome, r.reason, r.status, r.keyId, r.mac];
}

/** A row read as an array of COLUMNS (SQLite's raw mode) as a chained record. */
export function fromColumns(row: readonly unknown[]): ChainedRecord {
  return {
    seq: Number(row[0]),
    time: Number(row[1]),
    requestId: row[2] as string,
    phase: row[3] as ChainedRecord['phase'],
    actor: row[4] as string,
    actorType: row[5] as ChainedRecord['actorType'],
    authMethod: row[6] as string,
    clientAddress: row[7] as string,
    userAgent: row[8] as string,
    method: row[9] as string,
    route: row[10] as string,
    resource: row[11] as string,
    outcome: row[12] as ChainedRecord['outcome'],
    reason: row[13] as string,
    status: row[14] === null ? null : Number(row[14]),
    keyId: row[15] as string | null,
    mac: row[16] as string | null,
  };
}

/** A database row as a chained record (PostgreSQL returns bigint columns as strings). */
export function fromRow(row: Selectable<AuditLogTable>): ChainedRecord {
  return {
    seq: Number(row.seq),
    time: Number(row.time),
    requestId: row.request_id,
    phase: row.phase as ChainedRecord['phase'],
    actor: row.actor,
    actorType: row.actor_type as ChainedRecord['actorType'],
    authMethod: row.auth_method,
    clientAddress: row.client_address,
    userAgent: row.user_agent,
    method: row.method,
    route: row.route,
    resource: row.resource,
    outcome: row.outcome as ChainedRecord['outcome'],
    reason: row.reason,
    status: row.status === null ? null : Number(row.status),
    keyId: row.key_id,
    mac: row.mac,
  };
}
