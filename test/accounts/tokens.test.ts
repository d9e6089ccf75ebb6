// API tokens (API.md "Accounts and authentication", STYLE.md habit 7): issued once as
// ght_<id>.<secret> with only a hash of the secret stored; listed without secrets; revoked by
// their owner only (someone else's id is 404); lifetimes capped by the server maximum; dead
// once expired. A login with an unknown username is indistinguishable from a wrong password,
// in the answer and in its cost (the unknown-user path hashes a dummy password too).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashSecret } from '../../src/crypto/random.ts';
import { basicAuth, call, passwordFor, userWithToken } from '../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../helpers/testServer.ts';

const TOKEN_SHAPE = /^ght_([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;
const HOUR = 3600;

describe('API tokens', () => {
  let server: TestServer;
  const clock = fakeClock();
  before(async () => {
    server = await startTestServer({ clock, config: { tokenMaxLifetimeSeconds: 24 * HOUR } });
    for (const name of ['tina', 'tom']) {
      const reg = await call(server.app.fastify, 'POST', '/v1/users', { body: { username: name, password: passwordFor(name) } });
      assert.equal(reg.status, 201);
    }
  });
  after(() => server.close());

  const issue = (username: string, body: Record<string, unknown>) =>
    call(server.app.fastify, 'POST', '/v1/tokens', { headers: { authorization: basicAuth(username, passwordFor(username)) }, body });

  it('issues a token with HTTP Basic: 201 {id, token, scopes, expiresAt}, shaped ght_<id>.<secret>', async () => {
    const res = await issue('tina', { name: 'laptop', scopes: ['read'], expiresInSeconds: HOUR });
    assert.equal(res.status, 201);
    const m = TOKEN_SHAPE.exec(res.json.token);
    assert.ok(m, `token shape: ${res.json.token}`);
    assert.equal(m[1], res.json.id);
    assert.deepEqual(res.json.scopes, ['read']);
    assert.equal(res.json.expiresAt, new Date(clock() + HOUR * 1000).toISOString());
    const me = await call(server.app.fastify, 'GET', '/v1/users/me', { token: res.json.token });
    assert.equal(me.status, 200);
    assert.equal(me.json.username, 'tina');
  });

  it('stores only a hash of the secret: the secret appears nowhere in the row', async () => {
    const res = await issue('tina', { name: 'stored' });
    const [, id, secret] = TOKEN_SHAPE.exec(res.json.token)!;
    const row = await server.database.db.selectFrom('api_tokens').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
    const stored = JSON.stringify(row);
    assert.ok(!stored.includes(secret!), 'the secret is not stored');
    assert.ok(!stored.includes(res.json.token), 'nor the whole token');
    assert.notEqual(row.secret_hash, secret);
    assert.equal(row.secret_hash, hashSecret(secret!));
  });

  it('lists the caller’s tokens without any secret', async () => {
    const issued = await issue('tina', { name: 'listed' });
    const secret = TOKEN_SHAPE.exec(issued.json.token)![2]!;
    const list = await call(server.app.fastify, 'GET', '/v1/tokens', { token: issued.json.token });
    assert.equal(list.status, 200);
    const item = list.json.items.find((t: { id: string }) => t.id === issued.json.id);
    assert.ok(item, 'the token is listed');
    assert.equal(item.name, 'listed');
    assert.equal(item.revoked, false);
    assert.equal(item.token, undefined);
    assert.ok(!list.body.includes(secret), 'no secret in the listing');
    assert.doesNotMatch(list.body, /ght_/);
    assert.ok(list.json.items.every((t: { id: string }) => t.id !== undefined));
    // Only the caller's own tokens.
    const toms = await issue('tom', { name: 'toms' });
    const tomList = await call(server.app.fastify, 'GET', '/v1/tokens', { token: toms.json.token });
    assert.deepEqual(tomList.json.items.map((t: { name: string }) => t.name), ['toms']);
  });

  it('revokes a token: DELETE 204, then the token is refused with 401 and listed as revoked', async () => {
    const keeper = await issue('tina', { name: 'keeper' });
    const doomed = await issue('tina', { name: 'doomed' });
    assert.equal((await call(server.app.fastify, 'GET', '/v1/users/me', { token: doomed.json.token })).status, 200);
    const del = await call(server.app.fastify, 'DELETE', `/v1/tokens/${doomed.json.id}`, { token: keeper.json.token });
    assert.equal(del.status, 204);
    const after = await call(server.app.fastify, 'GET', '/v1/users/me', { token: doomed.json.token });
    assert.equal(after.status, 401);
    assert.equal(after.json.code, 'unauthenticated');
    const list = await call(server.app.fastify, 'GET', '/v1/tokens', { token: keeper.json.token });
    assert.equal(list.json.items.find((t: { id: string }) => t.id === doomed.json.id).revoked, true);
    assert.equal((await call(server.app.fastify, 'GET', '/v1/users/me', { token: keeper.json.token })).status, 200);
  });

  it('answers 404 for someone else’s token id, and leaves that token alive', async () => {
    const tinas = await issue('tina', { name: 'tinas' });
    const toms = await issue('tom', { name: 'not tinas' });
    const del = await call(server.app.fastify, 'DELETE', `/v1/tokens/${toms.json.id}`, { token: tinas.json.token });
    assert.equal(del.status, 404);
    assert.equal(del.json.code, 'not_found');
    const unknown = await call(server.app.fastify, 'DELETE', '/v1/tokens/AAAAAAAAAAAAAAAA', { token: tinas.json.token });
    assert.equal(unknown.status, 404, 'someone else’s token looks exactly like a missing one');
    assert.equal(unknown.json.code, 'not_found');
    assert.equal((await call(server.app.fastify, 'GET', '/v1/users/me', { token: toms.json.token })).status, 200);
  });

  it('caps expiresInSeconds (and the default lifetime) at tokenMaxLifetimeSeconds', async () => {
    const cap = new Date(clock() + 24 * HOUR * 1000).toISOString();
    const asked = await issue('tina', { name: 'long', expiresInSeconds: 400 * 24 * HOUR });
    assert.equal(asked.status, 201);
    assert.equal(asked.json.expiresAt, cap);
    const byDefault = await issue('tina', { name: 'default' });
    assert.equal(byDefault.json.expiresAt, cap, 'the 30-day default is capped too');
    const shorter = await issue('tina', { name: 'short', expiresInSeconds: 2 * HOUR });
    assert.equal(shorter.json.expiresAt, new Date(clock() + 2 * HOUR * 1000).toISOString());
  });

  it('refuses an expired token (time frozen, then moved past expiry)', async () => {
    const res = await issue('tom', { name: 'brief', expiresInSeconds: 120 });
    const probe = () => call(server.app.fastify, 'GET', '/v1/users/me', { token: res.json.token });
    clock.advance(119_000);
    assert.equal((await probe()).status, 200);
    clock.advance(1_000);
    const expired = await probe();
    assert.equal(expired.status, 401);
    assert.equal(expired.json.code, 'unauthenticated');
  });

  it('does not let a bearer token mint tokens (session or password only)', async () => {
    const t = await issue('tom', { name: 'bearer' });
    const res = await call(server.app.fastify, 'POST', '/v1/tokens', { token: t.json.token, body: { name: 'child' } });
    assert.equal(res.status, 401);
    assert.equal(res.json.code, 'unauthenticated');
  });
});

describe('unknown user and wrong password are indistinguishable', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await userWithToken(server.app.fastify, 'victor');
  });
  after(() => server.close());

  const attempt = (username: string, password: string) =>
    call(server.app.fastify, 'POST', '/v1/tokens', { headers: { authorization: basicAuth(username, password) }, body: { name: 'x' } });

  it('answers with the same status, headers and body (except requestId)', async () => {
    const unknown = await attempt('nobody-here', passwordFor('victor'));
    const wrong = await attempt('victor', passwordFor('not-victor'));
    assert.equal(unknown.status, 401);
    assert.equal(wrong.status, 401);
    assert.equal(unknown.json.code, 'unauthenticated');
    const strip = (j: Record<string, unknown>) => ({ ...j, requestId: undefined });
    assert.deepEqual(strip(unknown.json), strip(wrong.json));
    assert.equal(unknown.headers['www-authenticate'], wrong.headers['www-authenticate']);
    assert.equal(unknown.headers['content-type'], wrong.headers['content-type']);
  });

  it('takes comparable time: the unknown-user path hashes too (median ratio within 0.4–2.5)', async () => {
    // Warm both paths (the dummy hash is computed lazily at start-up).
    await attempt('nobody-here', 'warm-up-password-1');
    await attempt('victor', 'warm-up-password-2');
    const unknownMs: number[] = [];
    const wrongMs: number[] = [];
    const timed = async (username: string, into: number[]) => {
      const start = process.hrtime.bigint();
      const res = await attempt(username, 'a-wrong-password-for-timing');
      into.push(Number(process.hrtime.bigint() - start) / 1e6);
      assert.equal(res.status, 401);
    };
    for (let i = 0; i < 15; i++) {
      // Interleaved, so drift in machine load affects both sides alike.
      await timed(`ghost-${i}`, unknownMs);
      await timed('victor', wrongMs);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratio = median(unknownMs) / median(wrongMs);
    assert.ok(ratio >= 0.4 && ratio <= 2.5, `unknown ${median(unknownMs).toFixed(2)} ms vs wrong ${median(wrongMs).toFixed(2)} ms (ratio ${ratio.toFixed(2)})`);
  });
});
