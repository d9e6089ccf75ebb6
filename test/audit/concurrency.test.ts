// The chain stays one valid line under concurrency (issue 5, "Concurrency"): many concurrent
// requests through one server, and several processes appending to one database file at once,
// as several instances sharing a database will (issue 9). The tail is read and the batch
// chained inside a write-locked transaction, so no two batches can attach to the same record.
// The multi-process part is SQLite only (a shared database file); PostgreSQL writers on several instances are test/scale/.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { auditKeys } from '../../src/audit/chain/auditKeys.ts';
import { verifyStoredLog } from '../../src/audit/verifyStoredLog.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import { openDatabase } from '../../src/store/database.ts';
import { call, userWithToken } from '../helpers/api.ts';
import { startTestServer } from '../helpers/testServer.ts';
import { tempDir } from './auditFixtures.ts';

describe('audit chain under concurrency', () => {
  it('verifies after hundreds of concurrent requests, each with both of its records', async () => {
    const keyring = Keyring.ephemeral();
    const server = await startTestServer({ keyring });
    try {
      const app = server.app.fastify;
      const users = await Promise.all(['user1', 'user2', 'user3'].map((u) => userWithToken(app, u)));
      const spaces = await Promise.all(users.map((u) => call(app, 'POST', '/v1/spaces', { token: u.token, body: { name: 's' } })));
      const responses = await Promise.all(Array.from({ length: 300 }, (_, i) => {
        const u = i % 3;
        const url = `/v1/spaces/${spaces[u]!.json.id}/messages`;
        return i % 4 === 0
          ? call(app, 'GET', url, { token: users[u]!.token })
          : call(app, 'POST', url, { token: users[u]!.token, body: { text: `m${i}` } });
      }));
      assert.equal(responses.filter((r) => r.status === 201).length, 225);
      await server.app.auditLog.flush();
      const result = await verifyStoredLog(server.database.db, auditKeys(keyring).keyFor);
      assert.equal(result.ok, true, result.problem);
      const perRequest = await server.database.db.selectFrom('audit_log').select(['request_id']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('request_id').execute();
      const counts = new Map(perRequest.map((r) => [r.request_id, Number(r.n)]));
      for (const r of responses) assert.equal(counts.get(String(r.headers['x-request-id'])), 2);
    } finally {
      await server.close();
    }
  });

  it('verifies after several processes append to one database file at the same time', async () => {
    const dir = tempDir('writers');
    const dbFile = path.join(dir, 'gatehouse.sqlite');
    const keyringFile = path.join(dir, 'keyring');
    const keyring = Keyring.loadOrCreate(keyringFile);
    (await openDatabase(`sqlite:${dbFile}`)).close(); // migrate once, before the writers race
    const worker = new URL('./fixtures/appendWorker.ts', import.meta.url).pathname;
    const writers = ['east', 'west', 'north'];
    const BATCHES = 150;
    let ready = 0;
    await Promise.all(writers.map((name) => new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', worker, dbFile, keyringFile, name, String(BATCHES)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', () => {
        if (++ready === writers.length) fs.writeFileSync(`${dbFile}.go`, ''); // all started: go
      });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${name} exited ${code}: ${stderr}`))));
    })));
    const database = await openDatabase(`sqlite:${dbFile}`);
    try {
      const result = await verifyStoredLog(database.db, auditKeys(keyring).keyFor);
      assert.equal(result.ok, true, result.problem);
      const perBatch = Array.from({ length: BATCHES }, (_, b) => 1 + (b % 7)).reduce((a, n) => a + n, 0);
      assert.equal(result.checked, perBatch * writers.length);
      // The writers really interleaved: the log switches writer many times.
      const actors = (await database.db.selectFrom('audit_log').select('actor').orderBy('seq').execute()).map((r) => r.actor);
      const switches = actors.filter((a, i) => i > 0 && a !== actors[i - 1]).length;
      assert.ok(switches >= 50, `only ${switches} switches between writers`);
    } finally {
      await database.close();
    }
  });
});
