import { sql, type Kysely } from 'kysely';
import { decryptValue, encryptValue, keyIdOf } from '../crypto/aead.ts';
import type { Keyring, KeyPurpose } from '../crypto/keyring.ts';
import { secretAssociatedData } from '../accounts/mfa/MfaService.ts';
import { messageTextContext } from '../apps/messaging/MessageRepository.ts';
import type { DatabaseSchema } from './schema.ts';

/** A column whose values are stored encrypted, and how each value is bound to its row. */
export interface EncryptedColumn {
  readonly table: string;
  readonly idColumn: string;
  readonly column: string;
  readonly purpose: KeyPurpose;
  /** Further columns the associated data is made of. */
  readonly contextColumns?: readonly string[];
  /** The associated data the value was encrypted with (must match the writer's). */
  associatedData(row: Readonly<Record<string, string>>): string;
}

/** Every encrypted column. A feature that stores a secret or a body adds its column here. */
export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: 'messages', idColumn: 'id', column: 'text', purpose: 'at-rest', associatedData: (r) => messageTextContext(r.id!) },
  { table: 'direct_messages', idColumn: 'id', column: 'text', purpose: 'at-rest', associatedData: (r) => `direct_messages.text:${r.id}` },
  {
    table: 'totp_credentials', idColumn: 'id', column: 'secret_encrypted', purpose: 'totp', contextColumns: ['user_id'],
    associatedData: (r) => secretAssociatedData(r.id!, r.user_id!),
  },
];

const BATCH = 500;

/**
 * Re-encrypts every value not under the current key of its purpose (after `keys rotate`),
 * a batch per transaction. Idempotent: running it again changes nothing.
 */
export async function reencryptAll(db: Kysely<DatabaseSchema>, keyring: Keyring, columns = ENCRYPTED_COLUMNS): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const raw = db as unknown as Kysely<Record<string, Record<string, string>>>;
  for (const c of columns) {
    const current = keyring.current(c.purpose).id;
    let done = 0;
    for (;;) {
      const rows = (await raw
        .selectFrom(c.table)
        .select([`${c.idColumn} as id`, `${c.column} as value`, ...(c.contextColumns ?? [])])
        .where(sql<boolean>`${sql.ref(c.column)} not like ${`v1.${current}.`.replace(/[\\%_]/g, (ch) => `\\${ch}`) + '%'} escape '\\'`)
        .limit(BATCH)
        .execute()) as unknown as ({ id: string; value: string } & Record<string, string>)[];
      if (rows.length === 0) break;
      await raw.transaction().execute(async (trx) => {
        for (const row of rows) {
          if (keyIdOf(row.value) === current) continue;
          const plaintext = decryptValue(keyring, c.purpose, row.value, c.associatedData(row));
          await trx
            .updateTable(c.table)
            .set({ [c.column]: encryptValue(keyring, c.purpose, plaintext, c.associatedData(row)) })
            .where(sql.ref(c.idColumn), '=', row.id)
            .execute();
        }
      });
      done += rows.length;
    }
    counts[`${c.table}.${c.column}`] = done;
  }
  return counts;
}
