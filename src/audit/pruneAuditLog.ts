import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../store/database.ts';
import type { DatabaseSchema } from '../store/schema.ts';
import { withAuditWriteLock } from './AuditChainStore.ts';
import type { ChainKey } from './chain/chain.ts';
import { createCheckpoint, type Checkpoint } from './chain/checkpoint.ts';

export interface PruneResult {
  readonly removed: number;
  /** The signed anchor stored at the cut; the remaining chain is verified from it. */
  readonly anchor?: Checkpoint;
}

/**
 * Removes the records before `beforeMs` and, in the same transaction, stores a signed anchor
 * (the last removed record's seq and MAC) so the remaining chain still verifies. The cut is
 * the last record before the first record at or after `beforeMs` in seq order: times from
 * several instances need not be monotonic, sequence numbers are.
 */
export async function pruneAuditLog(
  db: Kysely<DatabaseSchema>,
  dialect: SqlDialectName,
  key: ChainKey,
  beforeMs: number,
  nowMs: number,
): Promise<PruneResult> {
  return withAuditWriteLock(db, dialect, async (trx) => {
    const firstKept = await trx.selectFrom('audit_log').select('seq').where('time', '>=', beforeMs).orderBy('seq', 'asc').limit(1).executeTakeFirst();
    let cutQuery = trx.selectFrom('audit_log').select(['seq', 'mac']).orderBy('seq', 'desc').limit(1);
    if (firstKept) cutQuery = cutQuery.where('seq', '<', Number(firstKept.seq));
    const cut = await cutQuery.executeTakeFirst();
    if (!cut) return { removed: 0 };
    const anchor = createCheckpoint(key, { seq: Number(cut.seq), mac: cut.mac ?? '' }, nowMs);
    await trx.insertInto('audit_anchors').values({ seq: anchor.seq, mac: anchor.mac, time: anchor.time, key_id: anchor.keyId, sig: anchor.sig }).execute();
    const deleted = await trx.deleteFrom('audit_log').where('seq', '<=', anchor.seq).executeTakeFirst();
    return { removed: Number(deleted.numDeletedRows), anchor };
  });
}
