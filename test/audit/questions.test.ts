// The audit log answers the chapter's six questions (API Security in Action §1.5.4, MISSION.md
// §2), each through GET /v1/audit on records written by the real pipeline:
//   1 who performed it, with what client · 2 when it was received · 3 what kind of request
//   4 which resource · 5 whether it succeeded, and if not why · 6 what else that caller did
//   around the same time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { adminWithToken, basicAuth, call, passwordFor } from '../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../helpers/testServer.ts';

const ALICE_CLIENT = { remoteAddress: '203.0.113.9', userAgent: 'alice-cli/1.0' };
const T0 = Date.parse('2026-11-22T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('the audit log answers the chapter’s six questions', () => {
  const clock = fakeClock(T0);
  let server: TestServer;
  let admin: { token: string };
  let aliceToken: string;
  let spaceId: string;
  const times: Record<string, number> = {};

  /** A request from alice's own client (address and user agent), at the fake clock's time. */
  const asAlice = (method: InjectOptions['method'], url: string, payload?: object) =>
    server.app.fastify.inject({ method, url, remoteAddress: ALICE_CLIENT.remoteAddress, headers: { authorization: `Bearer ${aliceToken}`, 'user-agent': ALICE_CLIENT.userAgent }, ...(payload ? { payload } : {}) });
  const audit = async (query: string) => {
    const res = await call(server.app.fastify, 'GET', `/v1/audit?${query}`, { token: admin.token });
    assert.equal(res.status, 200, res.body);
    return res.json as { items: any[]; nextCursor: string | null };
  };

  before(async () => {
    server = await startTestServer({ clock });
    admin = await adminWithToken(server.app.fastify, server.app.accounts);
    for (const name of ['alice', 'bob']) await call(server.app.fastify, 'POST', '/v1/users', { body: { username: name, password: passwordFor(name) } });
    const tok = await call(server.app.fastify, 'POST', '/v1/tokens', { headers: { authorization: basicAuth('alice', passwordFor('alice')) }, body: { name: 'cli' } });
    aliceToken = tok.json.token;
    clock.set(T0 + 60_000); // 12:01 — before the window
    spaceId = JSON.parse((await asAlice('POST', '/v1/spaces', { name: 'plans' })).body).id;
    clock.set((times.post = T0 + 120_000)); // 12:02 — inside the window
    assert.equal((await asAlice('POST', `/v1/spaces/${spaceId}/messages`, { text: 'the plan' })).statusCode, 201);
    clock.set((times.read = T0 + 150_000));
    assert.equal((await asAlice('GET', `/v1/spaces/${spaceId}/messages`)).statusCode, 200);
    clock.set((times.denied = T0 + 160_000)); // bob tries alice's space
    const bob = await call(server.app.fastify, 'POST', '/v1/tokens', { headers: { authorization: basicAuth('bob', passwordFor('bob')) }, body: { name: 'b' } });
    const snoop = await call(server.app.fastify, 'GET', `/v1/spaces/${spaceId}/messages`, { token: bob.json.token });
    assert.equal(snoop.status, 404);
    clock.set(T0 + 240_000); // 12:04 — after the window
    await asAlice('GET', '/v1/spaces');
  });
  after(() => server.close());

  it('1. who performed it, and with what client', async () => {
    // From 12:00:30, after she minted her token with her password (authMethod basic).
    const { items } = await audit(`actor=alice&from=${iso(T0 + 30_000)}&limit=1000`);
    assert.equal(items.length, 8);
    for (const item of items) {
      assert.equal(item.actor, 'alice');
      assert.equal(item.actorType, 'user');
      assert.equal(item.authMethod, 'bearer');
      assert.deepEqual(item.client, { address: ALICE_CLIENT.remoteAddress, userAgent: ALICE_CLIENT.userAgent });
    }
  });

  it('2. when it was received (UTC)', async () => {
    const { items } = await audit(`actor=alice&action=${encodeURIComponent('POST /v1/spaces/:spaceId/messages')}`);
    assert.deepEqual(items.map((i) => i.time), [iso(times.post!), iso(times.post!)]);
    assert.ok(items.every((i) => i.time.endsWith('Z')));
  });

  it('3. what kind of request: method and route, attempt and outcome linked by request id', async () => {
    const { items } = await audit(`actor=alice&action=POST&from=${iso(T0 + 30_000)}&order=asc`);
    assert.deepEqual(items.map((i) => [i.action.method, i.action.route, i.phase]), [
      ['POST', '/v1/spaces', 'attempt'], ['POST', '/v1/spaces', 'outcome'],
      ['POST', '/v1/spaces/:spaceId/messages', 'attempt'], ['POST', '/v1/spaces/:spaceId/messages', 'outcome'],
    ]);
    assert.equal(items[2].requestId, items[3].requestId);
    assert.notEqual(items[0].requestId, items[2].requestId);
  });

  it('4. which resource: the path, searchable by prefix', async () => {
    const { items } = await audit(`resource=${encodeURIComponent(`/v1/spaces/${spaceId}`)}&order=asc`);
    assert.deepEqual(new Set(items.map((i) => i.resource)), new Set([`/v1/spaces/${spaceId}/messages`]));
    assert.deepEqual(new Set(items.map((i) => i.actor)), new Set(['alice', 'bob']));
  });

  it('5. whether it succeeded, and if not exactly why (while the client saw a generic 404)', async () => {
    const { items } = await audit('actor=bob&outcome=denied');
    const denial = items.find((i) => i.resource === `/v1/spaces/${spaceId}/messages`);
    assert.ok(denial, 'bob’s attempt on alice’s space is recorded as denied');
    assert.equal(denial.status, 404);
    assert.equal(denial.time, iso(times.denied!));
    assert.match(denial.reason, /^not_found: authorization: /);
    const ok = await audit(`actor=alice&outcome=allowed&action=${encodeURIComponent('POST /v1/spaces/:spaceId/messages')}`);
    assert.deepEqual(ok.items.map((i) => [i.status, i.reason]), [[201, '']]);
  });

  it('6. what else the caller did between T1 and T2, a page at a time', async () => {
    const window = `actor=alice&from=${iso(T0 + 90_000)}&to=${iso(T0 + 200_000)}&order=asc`;
    const all = await audit(window);
    assert.deepEqual(all.items.map((i) => [i.action.method, i.resource, i.phase]), [
      ['POST', `/v1/spaces/${spaceId}/messages`, 'attempt'], ['POST', `/v1/spaces/${spaceId}/messages`, 'outcome'],
      ['GET', `/v1/spaces/${spaceId}/messages`, 'attempt'], ['GET', `/v1/spaces/${spaceId}/messages`, 'outcome'],
    ]);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: any[]; nextCursor: string | null } = await audit(`${window}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(paged, all.items.map((i) => i.id));
  });
});
