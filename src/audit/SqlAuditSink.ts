import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../store/database.ts';
import type { DatabaseSchema } from '../store/schema.ts';
import type { AuditRecord, AuditSink } from './AuditRecord.ts';
import { insertChained, readTail, withAuditWriteLock } from './AuditChainStore.ts';
import { chainRecords } from './chain/chain.ts';
import { takeOutbox } from './AuditOutbox.ts';
import type { AuditKeys } from './chain/auditKeys.ts';

export interface SqlAuditSinkOptions {
  /**
   * Called when the log's end is below a record this sink wrote: someone removed records
   * from the tail while the server ran (the chain alone cannot show that; see checkpoints).
   */
  readonly onTailRegression?: (wroteSeq: number, foundSeq: number) => void;
}

/**
 * Stores audit records in the `audit_log` table, one transaction per batch, chained: the
 * tail is read and the batch MACed inside the write-locked transaction, so the chain stays
 * linear however many writers (event-loop turns, processes, instances) append at once.
 * The same transaction moves every record waiting in the audit outbox (src/audit/AuditOutbox.ts)
 * into the chain ahead of the batch: the outcome records of state changes, and after a crash
 * whatever an instance committed but did not chain.
 */
export class SqlAuditSink implements AuditSink {
  /** The highest sequence number this sink has committed (tail-truncation tripwire). */
  private highestWritten = 0;
  /** Set when a record may wait in the outbox; true at start, to chain what a crash left. */
  private outboxMayHoldRecords = true;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly keys: AuditKeys,
    private readonly dialect: SqlDialectName = 'sqlite',
    private readonly options: SqlAuditSinkOptions = {},
  ) {}

  /** A record was committed to the outbox: the next append must take it. */
  outboxCommitted(): void {
    this.outboxMayHoldRecords = true;
  }

  async append(records: readonly AuditRecord[]): Promise<void> {
    const drain = this.outboxMayHoldRecords;
    if (records.length === 0 && !drain) return;
    this.outboxMayHoldRecords = false;
    const key = this.keys.current();
    try {
      const last = await withAuditWriteLock(this.db, this.dialect, async (trx) => {
        const tail = await readTail(trx);
        if (tail.seq < this.highestWritten) this.options.onTailRegression?.(this.highestWritten, tail.seq);
        const all = drain ? [...(await takeOutbox(trx)), ...records] : records;
        if (all.length === 0) return tail.seq;
        const chained = chainRecords(key, tail, all);
        await insertChained(trx, chained);
        return chained[chained.length - 1]!.seq;
      });
      this.highestWritten = Math.max(this.highestWritten, last);
    } catch (err) {
      if (drain) this.outboxMayHoldRecords = true;
      throw err;
    }
  }
}
