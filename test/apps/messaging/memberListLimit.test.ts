// Issue 6, resource bounds: every list has a `limit` cap, so one request cannot make the
// server read and serialise an unbounded table. GET /v1/spaces/{id}/members: 100 by default,
// at most 500; anything else is a 400 naming the field. Further pages: memberPages.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, userWithToken } from '../../helpers/api.ts';
import { startTestServer, type TestServer } from '../../helpers/testServer.ts';

const EXTRA_MEMBERS = 120;

describe('limit cap: GET /v1/spaces/{spaceId}/members', () => {
  let server: TestServer;
  let owner: { token: string };
  let spaceId: string;
  const members = (query = '') => call(server.app.fastify, 'GET', `/v1/spaces/${spaceId}/members${query}`, { token: owner.token });

  before(async () => {
    server = await startTestServer();
    owner = await userWithToken(server.app.fastify, 'owner');
    spaceId = (await call(server.app.fastify, 'POST', '/v1/spaces', { token: owner.token, body: { name: 'Crowded' } })).json.id;
    // Rows written directly: these members never log in, and 120 password hashes would only be slow.
    const db = server.database.db;
    const users = Array.from({ length: EXTRA_MEMBERS }, (_, i) => ({
      id: `u-limit-${i}`, username: `m${String(i).padStart(3, '0')}`, password_hash: 'not-a-login', is_admin: 0, disabled: 0, created_at: 0,
    }));
    await db.insertInto('users').values(users).execute();
    await db.insertInto('space_members').values(users.map((u) => ({ space_id: spaceId, user_id: u.id, role: 'member', added_at: 0 }))).execute();
  });
  after(() => server.close());

  it('answers at most 100 by default', async () => {
    const res = await members();
    assert.equal(res.status, 200);
    assert.equal(res.json.length, 100);
  });

  it('answers at most `limit`, up to 500', async () => {
    assert.equal((await members('?limit=3')).json.length, 3);
    assert.deepEqual((await members('?limit=3')).json.map((m: { username: string }) => m.username), ['m000', 'm001', 'm002'], 'in username order');
    assert.equal((await members('?limit=500')).json.length, EXTRA_MEMBERS + 1);
  });

  for (const bad of ['501', '100000', '0', '-1', 'ten']) {
    it(`refuses limit=${bad}: 400 problem+json, invalid_request on "limit"`, async () => {
      const res = await members(`?limit=${bad}`);
      assert.equal(res.status, 400);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json.code, 'invalid_request');
      assert.equal(res.json.field, 'limit');
    });
  }
});
