// Spaces and members: creation makes the caller owner, listing shows only the caller's
// spaces, deletion removes everything, and the one-owner invariant holds under concurrent
// ownership changes (the bank-transfer lesson of §1.4: operations safe alone, safe together).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, userWithToken } from '../../helpers/api.ts';
import { startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('spaces and members', () => {
  let server: TestServer;
  let alice: { token: string };
  let bob: { token: string };
  let carol: { token: string };

  before(async () => {
    server = await startTestServer();
    alice = await userWithToken(server.app.fastify, 'alice');
    bob = await userWithToken(server.app.fastify, 'bob');
    carol = await userWithToken(server.app.fastify, 'carol');
  });
  after(() => server.close());

  it('creates a space owned by the caller, with a Location', async () => {
    const res = await call(server.app.fastify, 'POST', '/v1/spaces', { token: alice.token, body: { name: 'Team' } });
    assert.equal(res.status, 201);
    assert.equal(res.json.owner, 'alice');
    assert.equal(res.json.name, 'Team');
    assert.equal(res.headers.location, `/v1/spaces/${res.json.id}`);
    const members = await call(server.app.fastify, 'GET', `/v1/spaces/${res.json.id}/members`, { token: alice.token });
    assert.deepEqual(members.json, [{ username: 'alice', role: 'owner' }]);
  });

  it('lists only the spaces the caller belongs to, with the caller’s role', async () => {
    const mine = await call(server.app.fastify, 'POST', '/v1/spaces', { token: bob.token, body: { name: 'Bob only' } });
    const shared = await call(server.app.fastify, 'POST', '/v1/spaces', { token: bob.token, body: { name: 'Shared' } });
    await call(server.app.fastify, 'PUT', `/v1/spaces/${shared.json.id}/members/carol`, { token: bob.token, body: { role: 'member' } });
    const carolSpaces = await call(server.app.fastify, 'GET', '/v1/spaces', { token: carol.token });
    assert.equal(carolSpaces.status, 200);
    assert.deepEqual(carolSpaces.json.items.map((s: { id: string; role: string }) => [s.id, s.role]), [[shared.json.id, 'member']]);
    const bobSpaces = await call(server.app.fastify, 'GET', '/v1/spaces', { token: bob.token });
    assert.deepEqual(new Set(bobSpaces.json.items.map((s: { id: string }) => s.id)), new Set([mine.json.id, shared.json.id]));
  });

  it('deleting a space removes it and its messages for everyone', async () => {
    const space = await call(server.app.fastify, 'POST', '/v1/spaces', { token: alice.token, body: { name: 'Doomed' } });
    await call(server.app.fastify, 'PUT', `/v1/spaces/${space.json.id}/members/bob`, { token: alice.token, body: { role: 'member' } });
    const msg = await call(server.app.fastify, 'POST', `/v1/spaces/${space.json.id}/messages`, { token: bob.token, body: { text: 'bye' } });
    assert.equal(msg.status, 201);
    const byMember = await call(server.app.fastify, 'DELETE', `/v1/spaces/${space.json.id}`, { token: bob.token });
    assert.equal(byMember.status, 403, 'only the owner deletes a space');
    const del = await call(server.app.fastify, 'DELETE', `/v1/spaces/${space.json.id}`, { token: alice.token });
    assert.equal(del.status, 204);
    for (const token of [alice.token, bob.token]) {
      const read = await call(server.app.fastify, 'GET', `/v1/spaces/${space.json.id}/messages/${msg.json.id}`, { token });
      assert.equal(read.status, 404);
    }
    const rows = await server.database.db.selectFrom('messages').select('id').where('space_id', '=', space.json.id).execute();
    assert.equal(rows.length, 0);
  });

  it('keeps exactly one owner under concurrent ownership hand-overs', async () => {
    const space = await call(server.app.fastify, 'POST', '/v1/spaces', { token: alice.token, body: { name: 'Contested' } });
    const id = space.json.id;
    await call(server.app.fastify, 'PUT', `/v1/spaces/${id}/members/bob`, { token: alice.token, body: { role: 'moderator' } });
    await call(server.app.fastify, 'PUT', `/v1/spaces/${id}/members/carol`, { token: alice.token, body: { role: 'moderator' } });
    // Alice hands the space to bob and to carol at the same time, and each of them tries to pass it on.
    const results = await Promise.all([
      call(server.app.fastify, 'PUT', `/v1/spaces/${id}/members/bob`, { token: alice.token, body: { role: 'owner' } }),
      call(server.app.fastify, 'PUT', `/v1/spaces/${id}/members/carol`, { token: alice.token, body: { role: 'owner' } }),
      call(server.app.fastify, 'PUT', `/v1/spaces/${id}/members/alice`, { token: bob.token, body: { role: 'owner' } }),
      call(server.app.fastify, 'PUT', `/v1/spaces/${id}/members/alice`, { token: carol.token, body: { role: 'owner' } }),
    ]);
    for (const r of results) assert.ok([200, 403, 404].includes(r.status), `unexpected ${r.status} ${r.body}`);
    const members = await call(server.app.fastify, 'GET', `/v1/spaces/${id}/members`, { token: alice.token });
    assert.equal(members.json.filter((m: { role: string }) => m.role === 'owner').length, 1);
    assert.equal(members.json.length, 3, 'nobody was lost on the way');
  });

  it('refuses bad space names and unknown fields', async () => {
    for (const body of [{ name: '' }, { name: 'x'.repeat(101) }, {}, { name: 5 }, { name: 'ok', owner: 'bob' }]) {
      const res = await call(server.app.fastify, 'POST', '/v1/spaces', { token: alice.token, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.code, 'invalid_request');
      assert.ok(res.json.field, 'the offending field is named');
    }
  });

  it('adding an unknown user is 404 naming the field; an invalid role is 400', async () => {
    const space = await call(server.app.fastify, 'POST', '/v1/spaces', { token: alice.token, body: { name: 'Roles' } });
    const ghost = await call(server.app.fastify, 'PUT', `/v1/spaces/${space.json.id}/members/ghost`, { token: alice.token, body: { role: 'member' } });
    assert.equal(ghost.status, 404);
    assert.equal(ghost.json.field, 'username');
    const bad = await call(server.app.fastify, 'PUT', `/v1/spaces/${space.json.id}/members/bob`, { token: alice.token, body: { role: 'god' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.field, 'role');
  });
});
