// Nothing unrecorded (issue 5): when the audit store cannot be written, a state-changing
// request is refused with 503 before its handler runs, so no change happens off the record
// (the chapter's repudiation example: an administrator who switches logging off). Reads keep
// working from the buffer. An acknowledged change has both of its records committed before
// the client hears of it. The store's failure is simulated inside the database itself (a
// trigger that fails every audit insert, in SQLite or PostgreSQL), so the real sink,
// transaction and pipeline are exercised.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyStoredLog } from '../../src/audit/verifyStoredLog.ts';
import { adminWithToken, call, userWithToken } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { failInsertsInto } from './auditFixtures.ts';

describe('the audit log fails closed', () => {
  let server: TestServer;
  let alice: { token: string };
  let admin: { token: string };
  let spaceId: string;
  let repairAuditStore: () => Promise<unknown> = async () => undefined;
  const breakAuditStore = async () => {
    repairAuditStore = await failInsertsInto(server.database, 'audit_log', 'audit_down');
  };
  const records = (requestId: string) =>
    server.database.db.selectFrom('audit_log').select(['phase', 'status', 'outcome', 'reason']).where('request_id', '=', requestId).orderBy('seq').execute();

  before(async () => {
    server = await startTestServer();
    alice = await userWithToken(server.app.fastify, 'alice');
    admin = await adminWithToken(server.app.fastify, server.app.accounts);
  });
  after(() => server.close());

  it('commits both records of an acknowledged change before the response is sent', async () => {
    const res = await call(server.app.fastify, 'POST', '/v1/spaces', { token: alice.token, body: { name: 'acknowledged' } });
    assert.equal(res.status, 201);
    spaceId = res.json.id;
    // No flush: the records must already be in the database when the client has its 201.
    assert.deepEqual(await records(String(res.headers['x-request-id'])), [
      { phase: 'attempt', status: null, outcome: 'pending', reason: '' },
      { phase: 'outcome', status: 201, outcome: 'allowed', reason: '' },
    ]);
  });

  it('refuses state changes with 503 audit_unavailable while the store fails, and performs none', async () => {
    await breakAuditStore();
    try {
      for (const [method, url, body] of [['POST', '/v1/spaces', { name: 'unrecorded' }], ['DELETE', `/v1/spaces/${spaceId}`, undefined]] as const) {
        const res = await call(server.app.fastify, method, url, { token: alice.token, ...(body ? { body } : {}) });
        assert.equal(res.status, 503, `${method} ${url}`);
        assert.equal(res.json.code, 'audit_unavailable');
        assert.equal(res.headers['retry-after'], '5');
      }
      const read = await call(server.app.fastify, 'GET', '/v1/spaces', { token: alice.token });
      assert.equal(read.status, 200, 'reads stay available');
      assert.deepEqual(read.json.items.map((s: { name: string }) => s.name), ['acknowledged'], 'neither refused change was performed');
      const ready = await call(server.app.fastify, 'GET', '/readyz');
      assert.equal(ready.json.checks.audit, 'failing');
    } finally {
      await repairAuditStore();
    }
  });

  it('writes the buffered records once the store is back, with the refusal in them, and the chain verifies', async () => {
    const res = await call(server.app.fastify, 'POST', '/v1/spaces', { token: alice.token, body: { name: 'after repair' } });
    assert.equal(res.status, 201);
    const refused = await call(server.app.fastify, 'GET', '/v1/audit?actor=alice&outcome=error', { token: admin.token });
    const reasons = refused.json.items.map((i: { status: number; reason: string }) => [i.status, i.reason]);
    assert.ok(reasons.length >= 2);
    for (const [status, reason] of reasons) {
      assert.equal(status, 503);
      assert.match(reason, /^audit_unavailable: audit: the attempt record could not be stored/);
    }
    const metrics = await call(server.app.fastify, 'GET', '/metrics', { token: admin.token });
    assert.match(metrics.body, /gatehouse_rejections_total\{stage="audit",code="audit_unavailable"\} 2/);
    const verified = await call(server.app.fastify, 'GET', '/v1/audit/verify', { token: admin.token });
    assert.equal(verified.json.ok, true);
    assert.equal((await verifyStoredLog(server.database.db, () => undefined)).ok, false, 'the verifier does check MACs');
  });
});
