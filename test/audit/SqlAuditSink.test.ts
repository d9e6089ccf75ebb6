// The chained sink's tripwire: records cut from the end of the log while the server runs are
// reported (the chain alone cannot show a cut tail; checkpoints do it afterwards).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditKeys } from '../../src/audit/chain/auditKeys.ts';
import { SqlAuditSink } from '../../src/audit/SqlAuditSink.ts';
import { verifyStoredLog } from '../../src/audit/verifyStoredLog.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import { openTestDatabase } from '../helpers/testDatabase.ts';
import { sampleRecord } from './chainRecords.ts';

describe('SqlAuditSink', () => {
  it('reports records removed from the end of the log while it runs, and chains on', async () => {
    const database = await openTestDatabase();
    const keys = auditKeys(Keyring.ephemeral());
    const regressions: [number, number][] = [];
    const sink = new SqlAuditSink(database.db, keys, database.dialect, { onTailRegression: (wrote, found) => regressions.push([wrote, found]) });
    try {
      await sink.append([0, 1, 2].map((i) => sampleRecord(i)));
      await sink.append([sampleRecord(3)]);
      assert.deepEqual(regressions, []);
      await database.db.deleteFrom('audit_log').where('seq', '>', 2).execute(); // the rogue administrator
      await sink.append([sampleRecord(4)]);
      assert.deepEqual(regressions, [[4, 2]]);
      assert.equal((await verifyStoredLog(database.db, keys.keyFor)).checked, 3);
    } finally {
      await database.close();
    }
  });
});
