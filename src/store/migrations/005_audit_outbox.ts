import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../database.ts';

/**
 * The audit outbox (issue 5): the outcome record of a state change is inserted here in the
 * same transaction as the change itself, so the two commit together or not at all; the audit
 * writer then moves it into the chain (under the chain's write lock, with its MAC) and
 * deletes it, in one transaction. Rows left by a crash are chained at the next append.
 */
export function auditOutboxMigration(dialect: SqlDialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('audit_outbox')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('record', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
