import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../database.ts';

/**
 * The tamper-evident audit chain (issue 5): each audit record gets the id of the key that
 * MACed it and its MAC; `audit_anchors` holds the signed checkpoint left where pruning cut
 * the log, so that the remaining chain still verifies. Records written before this
 * migration have no MAC; verification reports them until they are pruned.
 */
export function auditChainMigration(_dialect: SqlDialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('audit_log').addColumn('key_id', 'text').execute();
      await db.schema.alterTable('audit_log').addColumn('mac', 'text').execute();
      await db.schema
        .createTable('audit_anchors')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('mac', 'text', (c) => c.notNull())
        .addColumn('time', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('sig', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
