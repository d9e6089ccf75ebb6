import { sql, type Kysely } from 'kysely';
import type { SqlDialectName } from '../database.ts';

/** Contacts, direct messages and capabilities (issue 4: access control in depth). */
export function accessMigration(dialect: SqlDialectName) {
  const serial = dialect === 'sqlite' ? 'integer' : 'bigserial';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // One row per direction: "from asked to connect with to". Two rows = connected. Asking
      // and accepting are then both plain inserts, so no read-modify-write race exists.
      await db.schema
        .createTable('contact_requests')
        .addColumn('from_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('to_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('contact_requests_pk', ['from_id', 'to_id'])
        .execute();
      await db.schema.createIndex('contact_requests_to').on('contact_requests').column('to_id').execute();

      await db.schema
        .createTable('direct_messages')
        .addColumn('seq', sql.raw(serial), (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        // The two participants' ids, sorted and joined: one index serves the conversation.
        .addColumn('conversation', 'text', (c) => c.notNull())
        .addColumn('sender_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('recipient_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('text', 'text', (c) => c.notNull()) // encrypted (at-rest key), bound to the row id
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('direct_messages_conversation').on('direct_messages').columns(['conversation', 'seq']).execute();

      await db.schema
        .createTable('capabilities')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('space_id', 'text', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
        .addColumn('issuer_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('permissions', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('capabilities_space').on('capabilities').column('space_id').execute();
      await db.schema.createIndex('capabilities_issuer').on('capabilities').column('issuer_id').execute();
    },
  };
}
