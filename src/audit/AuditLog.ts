import type { FastifyBaseLogger } from 'fastify';
import type { AuditRecord, AuditSink } from './AuditRecord.ts';

export interface AuditLogOptions {
  /** Records kept for retry while the store fails (oldest dropped first). */
  readonly maxBuffered?: number;
  /** Runs the writer outside any request's unit of work (Database.unitOfWork.detached). */
  readonly detach?: <T>(fn: () => T) => T;
}

interface Waiters {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function waiters(): Waiters {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/**
 * Buffers the records of one event-loop turn and writes them in one transaction (group
 * commit: PERF-NOTES.md measured one INSERT per request halving throughput, batching making
 * it nearly free). `flush()` resolves when everything recorded so far is stored.
 *
 * Two ways in: `record` (buffered: a crash loses at most the records of the current turn and
 * of the batch being written) and `recordAndStore` (the caller waits for the commit of the
 * batch holding its record; it is how state changes fail closed when the store is down).
 */
export class AuditLog {
  private buffer: AuditRecord[] = [];
  /** Callers waiting for the batch being collected in `buffer`. */
  private bufferWaiters: Waiters | undefined;
  private scheduled: Promise<void> | undefined;
  private failures = 0;

  private readonly maxBuffered: number;
  private readonly detach: <T>(fn: () => T) => T;

  constructor(
    private readonly sink: AuditSink,
    private readonly log: Pick<FastifyBaseLogger, 'error'>,
    options: AuditLogOptions = {},
  ) {
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.detach = options.detach ?? ((fn) => fn());
  }

  /** Queues a record; it is stored at the end of this event-loop turn. */
  record(record: AuditRecord): void {
    this.buffer.push(record);
    this.schedule();
  }

  /**
   * Queues a record and resolves once the batch holding it is committed; rejects if that
   * write fails (the record is then kept for the next attempt, like any other).
   */
  recordAndStore(record: AuditRecord): Promise<void> {
    this.record(record);
    this.bufferWaiters ??= waiters();
    return this.bufferWaiters.promise;
  }

  /**
   * Resolves once the record a state change committed to the audit outbox is in the chain
   * (the next batch moves it there); rejects if that batch fails. The record itself is safe
   * either way: it stays in the outbox until a batch succeeds.
   */
  chainOutbox(): Promise<void> {
    this.sink.outboxCommitted?.();
    this.bufferWaiters ??= waiters();
    const { promise } = this.bufferWaiters;
    this.schedule();
    return promise;
  }

  /** Resolves once every record queued so far has been stored (or its write has failed). */
  async flush(): Promise<void> {
    while (this.scheduled) await this.scheduled;
  }

  /** Records waiting to be written (for metrics). */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Whether the last write succeeded (for /readyz). */
  get healthy(): boolean {
    return this.failures === 0;
  }

  private schedule(): void {
    // Detached: the batch is everyone's, not part of the request whose record started it
    // (inside a request's unit of work it would otherwise join that request's transaction).
    this.scheduled ??= this.detach(() => new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.write()));
  }

  private async write(): Promise<void> {
    const batch = this.buffer;
    const waiting = this.bufferWaiters;
    this.buffer = [];
    this.bufferWaiters = undefined;
    try {
      await this.sink.append(batch);
      this.failures = 0;
      waiting?.resolve();
    } catch (err) {
      this.failures++;
      this.log.error({ err, records: batch.length }, 'audit write failed; records kept for retry');
      // Keep the records (bounded) and retry with the next batch.
      this.buffer = batch.concat(this.buffer).slice(-this.maxBuffered);
      waiting?.reject(err);
    } finally {
      this.scheduled = undefined;
      // Someone waits for the next batch (it may hold no buffered record: chainOutbox), or
      // records are left; while the store fails, retry only for a waiter (no busy loop).
      if (this.bufferWaiters || (this.buffer.length > 0 && this.failures === 0)) this.schedule();
    }
  }
}
