// The audit outbox hands each record to the chain exactly once. On PostgreSQL a request's
// outbox row takes its id at insert but becomes visible at commit, so a record with a lower
// id can appear while the writer drains. CI caught a drain (SELECT, then DELETE id <= max)
// that deleted such a record unread: lost from the log. This test makes that record appear
// between the drain's statements, on either database, and requires it to stay for the next drain.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import { takeOutbox } from '../../src/audit/AuditOutbox.ts';
import { openTestDatabase } from '../helpers/testDatabase.ts';
import { sampleRecord } from './chainRecords.ts';

describe('audit outbox', () => {
  it('a record that becomes visible while the writer drains is kept for the next drain, never deleted unread', async () => {
    const database = await openTestDatabase();
    try {
      const db = database.db;
      await db.insertInto('audit_outbox').values({ id: 2, record: JSON.stringify(sampleRecord(2)) }).execute();
      const taken = await db.transaction().execute(async (trx) => {
        let late: Promise<unknown> | undefined;
        // After the drain's first statement, the late committer's row (id 1) appears: queued on
        // the transaction's connection, so it runs before any further statement of the drain.
        const lateCommitter: KyselyPlugin = {
          transformQuery: (args) => args.node,
          transformResult: async (args) => {
            late ??= trx.insertInto('audit_outbox').values({ id: 1, record: JSON.stringify(sampleRecord(1)) }).execute();
            return args.result;
          },
        };
        const drained = await takeOutbox(trx.withPlugin(lateCommitter));
        await late;
        return drained;
      });
      assert.deepEqual(taken.map((r) => r.requestId), ['req-2']);
      const next = await db.transaction().execute((trx) => takeOutbox(trx));
      assert.deepEqual(next.map((r) => r.requestId), ['req-1'], 'the late record waits for the next drain');
      assert.deepEqual(await db.transaction().execute((trx) => takeOutbox(trx)), []);
    } finally {
      await database.close();
    }
  });

  it('returns what it drains oldest first', async () => {
    const database = await openTestDatabase();
    try {
      for (const id of [3, 1, 2]) await database.db.insertInto('audit_outbox').values({ id, record: JSON.stringify(sampleRecord(id)) }).execute();
      const taken = await database.db.transaction().execute((trx) => takeOutbox(trx));
      assert.deepEqual(taken.map((r) => r.requestId), ['req-1', 'req-2', 'req-3']);
    } finally {
      await database.close();
    }
  });
});
