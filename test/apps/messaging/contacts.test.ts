// The chapter's friendship rule (§1.5.3) through the full pipeline: users may send direct
// messages only to connected contacts (403 otherwise); a request becomes a connection when the
// other side accepts; only the two participants can read a conversation (not even an
// administrator); removing a contact stops new messages; bodies are encrypted at rest.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { adminWithToken, call, userWithToken } from '../../helpers/api.ts';
import { startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('contacts and direct messages', () => {
  let server: TestServer;
  let alice: { token: string };
  let bob: { token: string };
  let carol: { token: string };
  let admin: { token: string };
  const send = (from: { token: string }, to: string, text: string) => call(server.app.fastify, 'POST', `/v1/direct/${to}/messages`, { token: from.token, body: { text } });
  const read = (who: { token: string }, other: string) => call(server.app.fastify, 'GET', `/v1/direct/${other}/messages`, { token: who.token });

  before(async () => {
    server = await startTestServer();
    alice = await userWithToken(server.app.fastify, 'alice');
    bob = await userWithToken(server.app.fastify, 'bob');
    carol = await userWithToken(server.app.fastify, 'carol');
    admin = await adminWithToken(server.app.fastify, server.app.accounts);
  });
  after(() => server.close());

  it('refuses a direct message between users who are not contacts (403), and for unknown users', async () => {
    const res = await send(alice, 'bob', 'hello?');
    assert.equal(res.status, 403);
    assert.equal(res.json.code, 'forbidden');
    assert.equal((await send(alice, 'nobody-here', 'x')).status, 403);
  });

  it('a pending request is not enough; acceptance connects both sides', async () => {
    const asked = await call(server.app.fastify, 'PUT', '/v1/contacts/bob', { token: alice.token });
    assert.equal(asked.status, 200);
    assert.deepEqual(asked.json, { username: 'bob', state: 'pending', direction: 'outgoing' });
    assert.equal((await call(server.app.fastify, 'PUT', '/v1/contacts/bob', { token: alice.token })).json.state, 'pending', 'idempotent');
    assert.equal((await send(alice, 'bob', 'still pending')).status, 403);
    assert.equal((await send(bob, 'alice', 'not accepted yet')).status, 403);
    const bobsList = await call(server.app.fastify, 'GET', '/v1/contacts', { token: bob.token });
    assert.deepEqual(bobsList.json.items.map((c: { username: string; state: string; direction: string }) => [c.username, c.state, c.direction]), [['alice', 'pending', 'incoming']]);

    const accepted = await call(server.app.fastify, 'PUT', '/v1/contacts/alice', { token: bob.token });
    assert.deepEqual(accepted.json, { username: 'alice', state: 'connected', direction: 'both' });
    const alicesList = await call(server.app.fastify, 'GET', '/v1/contacts', { token: alice.token });
    assert.deepEqual(alicesList.json.items.map((c: { username: string; state: string }) => [c.username, c.state]), [['bob', 'connected']]);
  });

  it('connected users exchange messages; the conversation is the same from both sides', async () => {
    const sent = await send(alice, 'bob', 'hi bob');
    assert.equal(sent.status, 201);
    assert.equal(sent.json.author, 'alice');
    assert.equal(sent.json.to, 'bob');
    assert.equal((await send(bob, 'alice', 'hi alice')).status, 201);
    const fromAlice = await read(alice, 'bob');
    const fromBob = await read(bob, 'alice');
    assert.equal(fromAlice.status, 200);
    assert.deepEqual(fromAlice.json.items.map((m: { text: string }) => m.text), ['hi alice', 'hi bob']);
    assert.deepEqual(fromBob.json, fromAlice.json);
  });

  it('nobody else can read the conversation, not even an administrator', async () => {
    for (const [who, other] of [[carol, 'alice'], [carol, 'bob'], [admin, 'alice'], [admin, 'bob']] as const) {
      const res = await read(who, other);
      assert.equal(res.status, 200, 'their own (empty) conversation with that user');
      assert.deepEqual(res.json.items, []);
      assert.doesNotMatch(res.body, /hi (alice|bob)/);
    }
    const anonymous = await call(server.app.fastify, 'GET', '/v1/direct/bob/messages');
    assert.equal(anonymous.status, 401);
  });

  it('stores direct message bodies encrypted, bound to their row', async () => {
    const rows = await sql<{ id: string; text: string }>`select id, text from direct_messages`.execute(server.database.db);
    assert.ok(rows.rows.length >= 2);
    for (const row of rows.rows) {
      assert.match(row.text, /^v1\.at-rest-/);
      assert.doesNotMatch(row.text, /hi /);
    }
    // A body moved to another row no longer decrypts: reading fails rather than showing it.
    const [a, b] = rows.rows;
    await sql`update direct_messages set text = ${a!.text} where id = ${b!.id}`.execute(server.database.db);
    const res = await read(alice, 'bob');
    assert.equal(res.status, 500);
    assert.doesNotMatch(res.body, /hi /);
    await sql`update direct_messages set text = ${b!.text} where id = ${b!.id}`.execute(server.database.db);
  });

  it('removing the contact stops new messages in both directions, and the history stays with the two', async () => {
    const removed = await call(server.app.fastify, 'DELETE', '/v1/contacts/alice', { token: bob.token });
    assert.equal(removed.status, 204);
    assert.equal((await send(alice, 'bob', 'after removal')).status, 403);
    assert.equal((await send(bob, 'alice', 'after removal')).status, 403);
    assert.equal((await read(alice, 'bob')).json.items.length, 2);
    assert.deepEqual((await call(server.app.fastify, 'GET', '/v1/contacts', { token: alice.token })).json.items, []);
  });

  it('connects two users who ask each other at the same moment (no lost update)', async () => {
    const [a, b] = await Promise.all([
      call(server.app.fastify, 'PUT', '/v1/contacts/admin', { token: carol.token }),
      call(server.app.fastify, 'PUT', '/v1/contacts/carol', { token: admin.token }),
    ]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    const list = await call(server.app.fastify, 'GET', '/v1/contacts', { token: carol.token });
    assert.deepEqual(list.json.items.map((c: { username: string; state: string }) => [c.username, c.state]), [['admin', 'connected']]);
    assert.equal((await send(carol, 'admin', 'hello')).status, 201);
  });

  it('answers 400 for yourself and 404 for unknown users on contact routes', async () => {
    const self = await call(server.app.fastify, 'PUT', '/v1/contacts/alice', { token: alice.token });
    assert.equal(self.status, 400);
    assert.equal(self.json.field, 'username');
    assert.equal((await call(server.app.fastify, 'PUT', '/v1/contacts/nobody-here', { token: alice.token })).status, 404);
    assert.equal((await call(server.app.fastify, 'DELETE', '/v1/contacts/nobody-here', { token: alice.token })).status, 404);
    assert.equal((await read(alice, 'nobody-here')).status, 404);
  });
});
