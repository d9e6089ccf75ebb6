import type { CompiledQuery, Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/schema.ts';
import type { AuditRecord } from './AuditRecord.ts';

type Db = Kysely<DatabaseSchema>;

/**
 * The audit outbox (migration 005): an outcome record committed in the same transaction as
 * the state change it describes, waiting for the audit writer to chain it. Storing the record
 * unchained inside the request's transaction, rather than appending to the chain there,
 * keeps the chain's write lock out of request transactions: requests never serialize on it.
 * The window this leaves is documented in the README ("Audit log"): between its commit and
 * the writer's next batch (one event-loop turn; after a crash, the next start), a record is in
 * the outbox, not yet MACed.
 */
export function outboxInsert(db: Db, record: AuditRecord): CompiledQuery {
  return db.insertInto('audit_outbox').values({ record: JSON.stringify(record) }).compile();
}

/**
 * Removes and returns every record in the outbox, oldest first. Run inside the chain's write lock.
 * One DELETE … RETURNING, not a SELECT then a DELETE of `id <= max`: on PostgreSQL, ids are
 * taken at insert but become visible at commit, so a request committing between the two
 * statements would have its record (a lower id) deleted without being read: lost. The
 * single statement deletes exactly the rows it returns.
 */
export async function takeOutbox(trx: Db): Promise<AuditRecord[]> {
  const rows = await trx.deleteFrom('audit_outbox').returning(['id', 'record']).execute();
  return rows.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => JSON.parse(r.record) as AuditRecord);
}

/** How many records wait in the outbox (for `audit verify`). */
export async function countOutbox(db: Db): Promise<number> {
  const row = await db.selectFrom('audit_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
