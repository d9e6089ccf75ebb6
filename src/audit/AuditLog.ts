import type { FastifyBaseLogger } from 'fastify';
import type { AuditRecord, AuditSink } from './AuditRecord.ts';

export interface AuditLogOptions {
  /** Records kept for retry while the store fails (oldest dropped first). */
  readonly maxBuffered?: number;
  /** Runs the writer outside any request's unit of work (Database.unitOfWork.detached). */
  readonly detach?: <T>(fn: () => T) => T;
  /**
   * How long a batch that nobody waits for may keep collecting records before it is written
   * (milliseconds; 0: at the end of the turn, like a batch someone waits for).
   */
  readonly lingerMs?: number;
}

/**
 * A batch of buffered records waits this long for more. Measured (bench tls-gatehouse-*,
 * sqlprof): with one request per connection a turn held ~1.5 records, and each batch's
 * fixed cost (BEGIN IMMEDIATE, reading the chain tail, COMMIT: ~180 µs) was most of what a
 * new TLS connection cost over the bare server. The price is the crash window of records
 * nobody waits for (reads, rejections): this long instead of one turn.
 */
export const DEFAULT_AUDIT_LINGER_MS = 5;

/** A lingering batch this large is written at the end of the turn (bounds batch size and memory). */
const LINGER_MAX_RECORDS = 512;

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
 * Buffers records and writes them in one transaction per batch (group commit: PERF-NOTES.md
 * measured one INSERT per request halving throughput, batching making it nearly free).
 * `flush()` resolves when everything recorded so far is stored.
 *
 * Two ways in:
 * - `record` (buffered): the batch lingers up to `lingerMs` for more records, so a crash
 *   loses at most the records of those milliseconds and of the batch being written;
 * - `recordAndStore` (the caller waits for the commit of the batch holding its record; it is
 *   how state changes fail closed when the store is down): the batch is written at the end of
 *   this event-loop turn, lingering or not, so a waiter never waits for the linger.
 */
export class AuditLog {
  private buffer: AuditRecord[] = [];
  /** Callers waiting for the batch being collected in `buffer`. */
  private bufferWaiters: Waiters | undefined;
  private scheduled: Promise<void> | undefined;
  /** Ends the linger of the scheduled batch (it is then written at the end of this turn). */
  private endLinger: (() => void) | undefined;
  private failures = 0;

  private readonly maxBuffered: number;
  private readonly detach: <T>(fn: () => T) => T;
  private readonly lingerMs: number;

  constructor(
    private readonly sink: AuditSink,
    private readonly log: Pick<FastifyBaseLogger, 'error'>,
    options: AuditLogOptions = {},
  ) {
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.detach = options.detach ?? ((fn) => fn());
    this.lingerMs = options.lingerMs ?? DEFAULT_AUDIT_LINGER_MS;
  }

  /** Queues a record; it is stored within `lingerMs` (sooner if someone waits for its batch). */
  record(record: AuditRecord): void {
    this.buffer.push(record);
    this.schedule(this.buffer.length >= LINGER_MAX_RECORDS);
  }

  /**
   * Queues a record and resolves once the batch holding it is committed; rejects if that
   * write fails (the record is then kept for the next attempt, like any other).
   */
  recordAndStore(record: AuditRecord): Promise<void> {
    this.buffer.push(record);
    this.bufferWaiters ??= waiters();
    this.schedule(true);
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
    this.schedule(true);
    return promise;
  }

  /** Resolves once every record queued so far has been stored (or its write has failed). */
  async flush(): Promise<void> {
    while (this.scheduled) {
      this.endLinger?.();
      await this.scheduled;
    }
  }

  /** Records waiting to be written (for metrics). */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Whether the last write succeeded (for /readyz). */
  get healthy(): boolean {
    return this.failures === 0;
  }

  /** Makes sure a batch is scheduled; `soon`: written at the end of this turn, not after the linger. */
  private schedule(soon: boolean): void {
    if (this.scheduled) {
      if (soon) this.endLinger?.();
      return;
    }
    // Detached: the batch is everyone's, not part of the request whose record started it
    // (inside a request's unit of work it would otherwise join that request's transaction).
    this.scheduled = this.detach(() => new Promise<void>((resolve) => this.wait(soon, resolve)).then(() => this.write()));
  }

  /** Calls `ready` at the end of this turn, or after the linger unless `endLinger` cuts it short. */
  private wait(soon: boolean, ready: () => void): void {
    if (soon || this.lingerMs <= 0) {
      setImmediate(ready);
      return;
    }
    const timer = setTimeout(() => {
      this.endLinger = undefined;
      ready();
    }, this.lingerMs);
    this.endLinger = () => {
      this.endLinger = undefined;
      clearTimeout(timer);
      setImmediate(ready);
    };
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
      if (this.bufferWaiters) this.schedule(true);
      else if (this.buffer.length > 0 && this.failures === 0) this.schedule(this.buffer.length >= LINGER_MAX_RECORDS);
    }
  }
}
