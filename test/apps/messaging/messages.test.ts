// Messages in a space through the full pipeline: posting, reading one, paging with a capped
// limit and an opaque cursor, `since`, deleting, and input bounds on the text.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, userWithToken } from '../../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('messages', () => {
  let server: TestServer;
  const clock = fakeClock();
  let alice: { token: string };
  let spaceId: string;
  const posted: { id: string; createdAt: string }[] = [];

  before(async () => {
    server = await startTestServer({ clock });
    alice = await userWithToken(server.app.fastify, 'alice');
    const space = await call(server.app.fastify, 'POST', '/v1/spaces', { token: alice.token, body: { name: 'pages' } });
    spaceId = space.json.id;
    for (let i = 0; i < 130; i++) {
      clock.advance(1000);
      const res = await call(server.app.fastify, 'POST', `/v1/spaces/${spaceId}/messages`, { token: alice.token, body: { text: `message ${i}` } });
      assert.equal(res.status, 201);
      posted.push(res.json);
    }
  });
  after(() => server.close());

  it('answers 201 with the message and a Location to it', async () => {
    const res = await call(server.app.fastify, 'POST', `/v1/spaces/${spaceId}/messages`, { token: alice.token, body: { text: 'located' } });
    assert.equal(res.status, 201);
    assert.equal(res.json.author, 'alice');
    assert.equal(res.json.text, 'located');
    assert.equal(res.headers.location, `/v1/spaces/${spaceId}/messages/${res.json.id}`);
    const one = await call(server.app.fastify, 'GET', String(res.headers.location), { token: alice.token });
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, res.json);
    await call(server.app.fastify, 'DELETE', String(res.headers.location), { token: alice.token });
  });

  it('pages newest first, 50 by default, with a cursor that walks every message exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/spaces/${spaceId}/messages${cursor ? `?cursor=${cursor}` : ''}`;
      const res = await call(server.app.fastify, 'GET', url, { token: alice.token });
      assert.equal(res.status, 200);
      assert.ok(res.json.items.length <= 50);
      seen.push(...res.json.items.map((m: { text: string }) => m.text));
      cursor = res.json.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, posted.map((_, i) => `message ${i}`).reverse());
  });

  it('caps limit at 100 and refuses nonsense', async () => {
    const ok = await call(server.app.fastify, 'GET', `/v1/spaces/${spaceId}/messages?limit=100`, { token: alice.token });
    assert.equal(ok.json.items.length, 100);
    for (const bad of ['limit=101', 'limit=0', 'limit=-1', 'limit=abc', 'cursor=not-a-cursor', 'since=yesterday', 'other=1']) {
      const res = await call(server.app.fastify, 'GET', `/v1/spaces/${spaceId}/messages?${bad}`, { token: alice.token });
      assert.equal(res.status, 400, bad);
      assert.equal(res.json.code, 'invalid_request', bad);
    }
  });

  it('filters with since (inclusive)', async () => {
    const since = posted[120]!.createdAt;
    const res = await call(server.app.fastify, 'GET', `/v1/spaces/${spaceId}/messages?since=${encodeURIComponent(since)}`, { token: alice.token });
    assert.equal(res.status, 200);
    assert.equal(res.json.items.length, 10);
    assert.equal(res.json.items.at(-1).text, 'message 120');
  });

  it('bounds the text: empty and over 4000 characters are 400 naming the field', async () => {
    for (const text of ['', 'x'.repeat(4001)]) {
      const res = await call(server.app.fastify, 'POST', `/v1/spaces/${spaceId}/messages`, { token: alice.token, body: { text } });
      assert.equal(res.status, 400);
      assert.equal(res.json.field, 'text');
    }
    const max = await call(server.app.fastify, 'POST', `/v1/spaces/${spaceId}/messages`, { token: alice.token, body: { text: 'y'.repeat(4000) } });
    assert.equal(max.status, 201);
  });

  it('deletes a message: gone afterwards, and a second delete is 404', async () => {
    const target = posted[0]!.id;
    const del = await call(server.app.fastify, 'DELETE', `/v1/spaces/${spaceId}/messages/${target}`, { token: alice.token });
    assert.equal(del.status, 204);
    const again = await call(server.app.fastify, 'DELETE', `/v1/spaces/${spaceId}/messages/${target}`, { token: alice.token });
    assert.equal(again.status, 404);
    const read = await call(server.app.fastify, 'GET', `/v1/spaces/${spaceId}/messages/${target}`, { token: alice.token });
    assert.equal(read.status, 404);
  });
});
