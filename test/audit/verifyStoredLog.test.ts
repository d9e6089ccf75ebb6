// Verifying a stored log with the MACs checked on a worker thread (macCheckWorker.ts, used
// for large logs) must reach exactly the verdict of checking them in order on one thread:
// the same first bad record, problem, count and last good link, for an untouched log and for
// every edit of chain.test.ts (a changed field, a deleted, inserted or moved record), made to
// the rows in the database. Tiny pages, so that a few records cross several pages and the
// worker starts at once. Runs on SQLite and, under npm run test:postgres, PostgreSQL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { insertChained } from '../../src/audit/AuditChainStore.ts';
import { chainRecords, GENESIS, recordMac, type ChainedRecord, type ChainKey } from '../../src/audit/chain/chain.ts';
import { MacCheckWorker } from '../../src/audit/chain/macCheckWorker.ts';
import { verifyStoredLog } from '../../src/audit/verifyStoredLog.ts';
import type { Database } from '../../src/store/database.ts';
import { openTestDatabase } from '../helpers/testDatabase.ts';
import { auditRecordArb, sampleRecord } from './chainRecords.ts';

const keyA: ChainKey = { id: 'audit-mac-A', key: randomBytes(32) };
const keyB: ChainKey = { id: 'audit-mac-B', key: randomBytes(32) };
const keyFor = (id: string) => [keyA, keyB].find((k) => k.id === id)?.key;

type Edit = (chain: ChainedRecord[]) => ChainedRecord[];
const FIELDS = ['time', 'requestId', 'actor', 'userAgent', 'route', 'reason', 'status', 'keyId', 'mac'] as const;
const editArb: fc.Arbitrary<{ name: string; edit: Edit }> = fc.oneof(
  fc.constant({ name: 'none', edit: (c: ChainedRecord[]) => c }),
  fc.tuple(fc.nat(), fc.constantFrom(...FIELDS)).map(([at, field]) => ({
    name: `change ${field}`,
    edit: (c: ChainedRecord[]) => c.map((r, j) => (j === at % c.length ? { ...r, [field]: field === 'time' || field === 'status' ? Number(r[field] ?? 0) + 1 : `${String(r[field])}x` } : r)),
  })),
  fc.tuple(fc.nat(), fc.boolean()).map(([at, renumber]) => ({
    name: `delete${renumber ? ' and renumber' : ''}`,
    edit: (c: ChainedRecord[]) => {
      const rest = c.filter((_, j) => j !== at % c.length);
      return renumber ? rest.map((r, j) => ({ ...r, seq: j + 1 })) : rest;
    },
  })),
  fc.tuple(fc.nat(), auditRecordArb).map(([at, extra]) => ({
    name: 'insert',
    edit: (c: ChainedRecord[]) => {
      const i = at % (c.length + 1);
      return [...c.slice(0, i), { ...extra, seq: i + 1, keyId: keyA.id, mac: 'forged' }, ...c.slice(i).map((r) => ({ ...r, seq: r.seq + 1 }))];
    },
  })),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => ({
    name: 'swap',
    edit: (c: ChainedRecord[]) => {
      const [i, j] = [a % c.length, b % c.length];
      return c.map((r, k) => (k === i ? { ...c[j]!, seq: r.seq } : k === j ? { ...c[i]!, seq: r.seq } : r));
    },
  })),
);

describe('verifyStoredLog with MACs checked on a worker thread', () => {
  let database: Database;
  before(async () => { database = await openTestDatabase(); });
  after(async () => { await database.close(); });

  async function store(records: readonly ChainedRecord[]): Promise<void> {
    await database.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('audit_log').execute();
      await insertChained(trx, records);
    });
  }

  async function bothWays(pageSize: number) {
    let workers = 0;
    const startMacWorker = () => (workers++, MacCheckWorker.start());
    const parallel = await verifyStoredLog(database.db, keyFor, [], pageSize, { parallelAfterRecords: 0, startMacWorker });
    const sequential = await verifyStoredLog(database.db, keyFor, [], pageSize, { parallelAfterRecords: Infinity });
    return { parallel, sequential, workers };
  }

  it('reaches the same verdict as the sequential check, for an untouched log and after any single edit', async () => {
    // Two keys (a rotation in the middle), so that a page carries records under both.
    const chainArb = fc.tuple(fc.array(auditRecordArb, { minLength: 1, maxLength: 12 }), fc.array(auditRecordArb, { minLength: 1, maxLength: 12 }))
      .map(([first, second]) => {
        const a = chainRecords(keyA, GENESIS, first);
        return [...a, ...chainRecords(keyB, a.at(-1)!, second)];
      });
    await fc.assert(fc.asyncProperty(chainArb, editArb, fc.integer({ min: 2, max: 5 }), async (chain, { name, edit }, pageSize) => {
      const edited = edit(chain);
      await store(edited);
      const { parallel, sequential, workers } = await bothWays(pageSize);
      assert.deepEqual(parallel, sequential, name);
      assert.equal(workers, edited.length >= pageSize ? 1 : 0, 'the worker is used whenever a second page may follow');
      if (name === 'none') assert.equal(parallel.ok, true, parallel.problem);
    }), { numRuns: 60 });
  });

  it('names the same record when the edit sits on a page boundary or in the last record', async () => {
    const chain = chainRecords(keyA, GENESIS, Array.from({ length: 12 }, (_, i) => sampleRecord(i)));
    for (const at of [0, 3, 4, 7, 8, 11]) {
      await store(chain.map((r, j) => (j === at ? { ...r, actor: 'mallory' } : r)));
      const { parallel, sequential, workers } = await bothWays(4);
      assert.deepEqual(parallel, sequential);
      assert.equal(parallel.firstBadId, String(at + 1));
      assert.equal(workers, 1);
    }
  });

  it('checks in the worker what recordMac computes, for any field content (non-ASCII, lone surrogates)', async () => {
    const worker = MacCheckWorker.start();
    try {
      const records = [sampleRecord(0, { userAgent: 'é😀\ud800\u0000"\\' }), sampleRecord(1, { actor: '\udfff', reason: '\u2028' }), sampleRecord(2)];
      const chain = chainRecords(keyA, { seq: 7, mac: 'anchor\ud83d' }, records);
      assert.deepEqual(await worker.check('anchor\ud83d', chain, keyFor), { previousMac: 'anchor\ud83d', firstMismatch: -1 });
      assert.equal(chain[1]!.mac, recordMac(keyA.key, chain[0]!.mac, chain[1]!, 9, keyA.id));
      const tampered = chain.map((r, i) => (i === 1 ? { ...r, reason: '\u2029' } : r));
      assert.equal((await worker.check('anchor\ud83d', tampered, keyFor))?.firstMismatch, 1);
      const unknownKey = chain.map((r, i) => (i === 2 ? { ...r, keyId: 'nobody' } : r));
      assert.equal((await worker.check('anchor\ud83d', unknownKey, keyFor))?.firstMismatch, 2);
      assert.equal((await worker.check('other', chain, keyFor))?.firstMismatch, 0, 'the first record follows the given MAC');
    } finally {
      await worker.close();
    }
    const closed = MacCheckWorker.start();
    await closed.close();
    assert.equal(await closed.check('', [sampleRecord(0) as unknown as ChainedRecord], keyFor), undefined, 'a stopped worker answers "check it yourself"');
  });
});
