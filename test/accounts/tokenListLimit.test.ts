// Issue 6, resource bounds: every list has a `limit` cap, so one request cannot make the
// server read and serialise an unbounded table. GET /v1/tokens: 100 by default, at most 500,
// newest first; anything else is a 400 naming the field. Further pages: tokenPages.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, userWithToken } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const EXTRA_TOKENS = 120;

describe('limit cap: GET /v1/tokens', () => {
  let server: TestServer;
  let holder: { token: string; id: string };
  const tokens = (query = '') => call(server.app.fastify, 'GET', `/v1/tokens${query}`, { token: holder.token });

  before(async () => {
    server = await startTestServer();
    holder = await userWithToken(server.app.fastify, 'holder');
    // Rows written directly (never presented): 120 logins would each cost a password hash.
    await server.database.db.insertInto('api_tokens').values(Array.from({ length: EXTRA_TOKENS }, (_, i) => ({
      id: `tok-limit-${String(i).padStart(3, '0')}`, user_id: holder.id, name: `t${i}`, secret_hash: 'never-presented', scopes: 'read',
      created_at: i, expires_at: Date.parse('2100-01-01'), revoked_at: null,
    }))).execute();
  });
  after(() => server.close());

  it('answers at most 100 by default', async () => {
    const res = await tokens();
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.items.length, 100);
  });

  it('answers at most `limit`, newest first, up to 500', async () => {
    const three = await tokens('?limit=3');
    assert.equal(three.json.items.length, 3);
    assert.equal(three.json.items[0].name, 'test', 'the token issued through the API is the newest');
    assert.equal((await tokens('?limit=500')).json.items.length, EXTRA_TOKENS + 1);
  });

  for (const bad of ['501', '100000', '0', '-1', 'ten']) {
    it(`refuses limit=${bad}: 400 problem+json, invalid_request on "limit"`, async () => {
      const res = await tokens(`?limit=${bad}`);
      assert.equal(res.status, 400);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json.code, 'invalid_request');
      assert.equal(res.json.field, 'limit');
    });
  }
});
