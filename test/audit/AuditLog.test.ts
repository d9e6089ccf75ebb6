// The batched writer (src/audit/AuditLog.ts): buffered records go to the sink in one batch, in
// order, once their batch has lingered (or at the end of the turn when someone waits for it); `recordAndStore` resolves only once its batch is committed and rejects
// when the write fails, while the records are kept and written with the next batch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditLog } from '../../src/audit/AuditLog.ts';
import type { AuditRecord, AuditSink } from '../../src/audit/AuditRecord.ts';
import { sampleRecord } from './chainRecords.ts';

/** A sink that stores batches, or fails while `failing` is set. */
function fakeSink() {
  const batches: string[][] = [];
  const sink: AuditSink & { failing: boolean } = {
    failing: false,
    async append(records: readonly AuditRecord[]) {
      await Promise.resolve();
      if (sink.failing) throw new Error('disk full');
      batches.push(records.map((r) => r.requestId));
    },
  };
  return { sink, batches };
}

const quiet = { error: () => undefined };
const rec = (id: string) => sampleRecord(0, { requestId: id });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** Settles with 'first' if `promise` settles within `ms`, else with 'timer' (a linger of an hour never ends on its own here). */
const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => 'first'), new Promise((resolve) => setTimeout(resolve, ms, 'timer'))]);
const HOUR = 3_600_000;

describe('AuditLog (group commit)', () => {
  it('writes the records of one turn as one batch, in order', async () => {
    const { sink, batches } = fakeSink();
    const log = new AuditLog(sink, quiet);
    log.record(rec('a'));
    log.record(rec('b'));
    await log.recordAndStore(rec('c'));
    log.record(rec('d'));
    await log.flush();
    assert.deepEqual(batches, [['a', 'b', 'c'], ['d']]);
  });

  it('resolves recordAndStore only after its batch is committed', async () => {
    const { sink, batches } = fakeSink();
    const log = new AuditLog(sink, quiet);
    const stored = log.recordAndStore(rec('x'));
    assert.deepEqual(batches, [], 'nothing written yet in this turn');
    await stored;
    assert.deepEqual(batches, [['x']]);
  });

  it('rejects recordAndStore when the write fails, keeps the records, and writes them with the next batch', async () => {
    const { sink, batches } = fakeSink();
    const log = new AuditLog(sink, quiet);
    sink.failing = true;
    log.record(rec('read'));
    await assert.rejects(log.recordAndStore(rec('change')), /disk full/);
    assert.equal(log.healthy, false);
    assert.equal(log.buffered, 2);
    sink.failing = false;
    await log.recordAndStore(rec('next'));
    assert.deepEqual(batches, [['read', 'change', 'next']]);
    assert.equal(log.healthy, true);
    assert.equal(log.buffered, 0);
  });

  it('does not spin retrying while the store fails and nobody waits', async () => {
    const { sink } = fakeSink();
    let attempts = 0;
    const counting: AuditSink = { append: (r) => (attempts++, sink.append(r)) };
    sink.failing = true;
    const log = new AuditLog(counting, quiet);
    log.record(rec('a'));
    await log.flush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(attempts, 1);
    assert.equal(log.buffered, 1);
  });

  it('lets a batch nobody waits for linger, collecting the records of several turns', async () => {
    const { sink, batches } = fakeSink();
    const log = new AuditLog(sink, quiet, { lingerMs: 30 });
    log.record(rec('a'));
    await nextTurn();
    await nextTurn();
    log.record(rec('b'));
    assert.deepEqual(batches, [], 'nothing written while the batch lingers');
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(batches, [['a', 'b']], 'written once the linger ended, without a flush');
  });

  it('writes at the end of each turn without a linger', async () => {
    const { sink, batches } = fakeSink();
    const log = new AuditLog(sink, quiet, { lingerMs: 0 });
    log.record(rec('a'));
    await nextTurn();
    await nextTurn();
    log.record(rec('b'));
    await log.flush();
    assert.deepEqual(batches, [['a'], ['b']]);
  });

  it('a waiter ends the linger: recordAndStore and chainOutbox never wait for it', async () => {
    const { sink, batches } = fakeSink();
    const log = new AuditLog(sink, quiet, { lingerMs: HOUR });
    log.record(rec('read'));
    await nextTurn();
    assert.equal(await within(log.recordAndStore(rec('change')), 1_000), 'first');
    assert.deepEqual(batches, [['read', 'change']]);
    log.record(rec('later'));
    assert.equal(await within(log.chainOutbox(), 1_000), 'first');
    assert.deepEqual(batches, [['read', 'change'], ['later']]);
  });

  it('flush ends the linger', async () => {
    const { sink, batches } = fakeSink();
    const log = new AuditLog(sink, quiet, { lingerMs: HOUR });
    log.record(rec('a'));
    assert.equal(await within(log.flush(), 1_000), 'first');
    assert.deepEqual(batches, [['a']]);
  });

  it('a lingering batch that reaches its size bound is written at the end of the turn', async () => {
    const { sink, batches } = fakeSink();
    const log = new AuditLog(sink, quiet, { lingerMs: HOUR });
    for (let i = 0; i < 512; i++) log.record(rec(`r${i}`));
    await nextTurn();
    await nextTurn();
    assert.equal(batches.length, 1, 'written without waiting for the linger');
    assert.equal(batches[0]!.length, 512);
    assert.equal(log.buffered, 0);
  });
});
