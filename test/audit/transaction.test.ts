// A state change and its audit record commit together or not at all (issue 5), through the
// real HTTPS listener and the whole pipeline: the handler's writes and the outcome record are
// one transaction (src/store/unitOfWork.ts, src/audit/AuditOutbox.ts). When the outcome
// record cannot be written the change is rolled back and the client gets 503; outcome
// records a crash leaves in the outbox are chained when the server starts again. Failures are
// made inside the database itself (a trigger), on SQLite or PostgreSQL.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '../../src/crypto/keyring.ts';
import { userWithToken, adminWithToken } from '../helpers/api.ts';
import { createTestDatabaseUrl, TEST_POSTGRES_URL, type TestDatabaseUrl } from '../helpers/testDatabase.ts';
import { httpsRequest, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { failInsertsInto } from './auditFixtures.ts';

describe('a state change and its audit record are one transaction', () => {
  let target: TestDatabaseUrl;
  let dir: string;
  const keyring = Keyring.ephemeral();
  let server: TestServer;
  let alice: { token: string };
  let admin: { token: string };
  let spaceId: string;
  const start = () => startTestServer({ listen: true, databaseUrl: target.url, keyring });
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const records = (requestId: string) =>
    server.database.db.selectFrom('audit_log').select(['phase', 'status', 'outcome', 'reason', 'mac']).where('request_id', '=', requestId).orderBy('seq').execute();
  const outbox = async () => (await server.database.db.selectFrom('audit_outbox').select('id').execute()).length;
  const messages = async () =>
    (await httpsRequest(server, 'GET', `/v1/spaces/${spaceId}/messages`, { headers: as(alice.token) })).json.items.map((m: { text: string }) => m.text);
  let repairOutbox: () => Promise<unknown> = async () => undefined;
  const breakOutbox = async () => {
    repairOutbox = await failInsertsInto(server.database, 'audit_outbox', 'outbox_down');
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-audit-tx-'));
    target = TEST_POSTGRES_URL ? await createTestDatabaseUrl() : { url: `sqlite:${path.join(dir, 'gatehouse.sqlite')}`, drop: async () => undefined };
    server = await start();
    alice = await userWithToken(server.app.fastify, 'alice');
    admin = await adminWithToken(server.app.fastify, server.app.accounts);
    spaceId = (await httpsRequest(server, 'POST', '/v1/spaces', { headers: as(alice.token), body: { name: 'tx' } })).json.id;
  });
  after(async () => {
    await server.close();
    await target.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an acknowledged change has its outcome record chained before the client hears of it', async () => {
    const res = await httpsRequest(server, 'POST', `/v1/spaces/${spaceId}/messages`, { headers: as(alice.token), body: { text: 'recorded' } });
    assert.equal(res.status, 201);
    const stored = await records(String(res.headers['x-request-id']));
    assert.deepEqual(stored.map((r) => [r.phase, r.status, r.outcome]), [['attempt', null, 'pending'], ['outcome', 201, 'allowed']]);
    assert.ok(stored.every((r) => typeof r.mac === 'string' && r.mac.length > 0), 'both records are MACed into the chain');
    assert.equal(await outbox(), 0, 'nothing left waiting in the outbox');
  });

  it('when the outcome record cannot be committed, the change is rolled back and the client gets 503', async () => {
    await breakOutbox();
    let res;
    try {
      res = await httpsRequest(server, 'POST', `/v1/spaces/${spaceId}/messages`, { headers: as(alice.token), body: { text: 'unrecorded' } });
      // A change whose own transaction holds a savepoint (a repository transaction) too.
      const space = await httpsRequest(server, 'POST', '/v1/spaces', { headers: as(alice.token), body: { name: 'unrecorded space' } });
      assert.equal(space.status, 503);
    } finally {
      await repairOutbox();
    }
    assert.equal(res.status, 503);
    assert.equal(res.json.code, 'audit_unavailable');
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(res.headers['retry-after'], '5');
    assert.deepEqual(await messages(), ['recorded'], 'the refused message was not stored');
    const spaces = await httpsRequest(server, 'GET', '/v1/spaces', { headers: as(alice.token) });
    assert.deepEqual(spaces.json.items.map((s: { name: string }) => s.name), ['tx'], 'nor the refused space');
    // The refusal itself is on the record: the attempt, then a 503 outcome with the precise reason.
    await server.app.auditLog.flush();
    const stored = await records(String(res.headers['x-request-id']));
    assert.deepEqual(stored.map((r) => [r.phase, r.status]), [['attempt', null], ['outcome', 503]]);
    assert.match(stored[1]!.reason, /^audit_unavailable: audit: the outcome record could not be committed with the change; change rolled back/);
  });

  it('outcome records a crash left in the outbox are chained at the next start, and the chain verifies', async () => {
    // What a crash between a change's commit and the writer's next batch leaves behind.
    const left = { time: Date.now(), requestId: 'crashed-request', phase: 'outcome', actor: 'alice', actorType: 'user', authMethod: 'bearer',
      clientAddress: '127.0.0.1', userAgent: 'test', method: 'POST', route: '/v1/spaces/:spaceId/messages', resource: `/v1/spaces/${spaceId}/messages`,
      outcome: 'allowed', reason: '', status: 201 };
    await server.close(); // closes the database too; the data stays
    const reopened = await startTestServer({ databaseUrl: target.url, keyring, listen: false });
    await reopened.database.unitOfWork.detached(() => reopened.database.db.insertInto('audit_outbox').values({ record: JSON.stringify(left) }).execute());
    await reopened.app.fastify.close();
    await reopened.database.close();

    server = await start();
    await server.app.auditLog.flush();
    assert.equal(await outbox(), 0);
    const chained = await records('crashed-request');
    assert.equal(chained.length, 1);
    assert.equal(chained[0]!.status, 201);
    const verified = await httpsRequest(server, 'GET', '/v1/audit/verify', { headers: as(admin.token) });
    assert.equal(verified.status, 200);
    assert.equal(verified.json.ok, true, JSON.stringify(verified.json));
  });
});
