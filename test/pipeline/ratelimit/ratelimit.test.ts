// Rate limiting through the real pipeline (buildApp + inject, fake clock). Proves: the
// per-address limit answers 429 rate_limited with Retry-After, RateLimit-Policy and RateLimit;
// it runs BEFORE authentication and before the body is read (a bad token, an oversized or
// broken body, Basic credentials: all 429, and no password is checked); the per-user quota
// after authentication separates users behind one address; the global limit; the per-account
// limit on password checks (POST /v1/tokens with Basic and POST /v1/sessions share it; wrong
// passwords and unknown usernames behave identically); clients recover when the clock moves;
// and X-Forwarded-For is believed only from a configured proxy (MISSION.md §2, §6).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import { basicAuth, call, passwordFor, userWithToken } from '../../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

type Clock = ReturnType<typeof fakeClock>;
type Res = Awaited<ReturnType<typeof call>>;

function assertLimited(res: Res, policyName: string): void {
  assert.equal(res.status, 429, res.body);
  assert.equal(res.json.code, 'rate_limited');
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.match(String(res.headers['retry-after']), /^[1-9]\d*$/);
  assert.match(String(res.headers['ratelimit-policy']), new RegExp(`^"${policyName}";q=\\d+;w=\\d+$`));
  assert.match(String(res.headers.ratelimit), new RegExp(`^"${policyName}";r=0;t=\\d+$`));
}

/** The audit log's client address for the request that got `res`. */
async function auditedAddress(server: TestServer, res: Res): Promise<string[]> {
  await server.app.auditLog.flush();
  const rows = await server.database.db.selectFrom('audit_log').select('client_address').where('request_id', '=', String(res.headers['x-request-id'])).execute();
  return rows.map((r) => r.client_address);
}

describe('per-address limit (2/s, bursts of 4)', () => {
  let server: TestServer;
  let clock: Clock;
  let token: string;
  const app = () => server.app.fastify;

  before(async () => {
    clock = fakeClock();
    server = await startTestServer({ clock, config: { rateLimit: { addressPerSecond: 2 } as Config['rateLimit'] } });
    token = (await userWithToken(app(), 'alice')).token;
  });
  after(() => server.close());

  /** Moves time on so that every bucket (address, login) is full again. */
  const rest = () => clock.advance(10 * 60_000);

  it('allows the burst, then 429 with Retry-After, RateLimit-Policy and RateLimit; recovers on schedule', async () => {
    rest();
    for (let i = 0; i < 4; i++) assert.equal((await call(app(), 'GET', '/healthz')).status, 200);
    const limited = await call(app(), 'GET', '/healthz');
    assertLimited(limited, 'address');
    assert.equal(limited.headers['retry-after'], '1');
    assert.equal(limited.headers['ratelimit-policy'], '"address";q=4;w=2');
    assert.equal(limited.headers.ratelimit, '"address";r=0;t=2');
    clock.advance(499);
    assert.equal((await call(app(), 'GET', '/healthz')).status, 429, 'not a moment early');
    clock.advance(1);
    assert.equal((await call(app(), 'GET', '/healthz')).status, 200, 'one interval later, one request');
    assert.equal((await call(app(), 'GET', '/healthz')).status, 429);
    clock.advance(2000);
    for (let i = 0; i < 4; i++) assert.equal((await call(app(), 'GET', '/healthz')).status, 200, 'the whole burst is back');
  });

  it('every route, known or not, counts against the same address budget', async () => {
    rest();
    await call(app(), 'GET', '/healthz');
    await call(app(), 'GET', '/no/such/route');
    await call(app(), 'GET', '/v1/spaces');
    await call(app(), 'GET', '/v1/users/me', { token });
    assertLimited(await call(app(), 'GET', '/v1/nothing-here'), 'address');
  });

  it('runs before authentication: over the limit, an invalid token gets 429, not 401', async () => {
    rest();
    for (let i = 0; i < 4; i++) await call(app(), 'GET', '/healthz');
    assertLimited(await call(app(), 'GET', '/v1/users/me', { token: 'ght_nosuch.token' }), 'address');
    assertLimited(await call(app(), 'GET', '/v1/users/me', { headers: { authorization: 'Bogus !!!' } }), 'address');
    assertLimited(await call(app(), 'GET', '/v1/users/me', { token }), 'address');
  });

  it('runs before the body is read: oversized, broken or wrongly typed bodies get 429', async () => {
    rest();
    for (let i = 0; i < 4; i++) await call(app(), 'GET', '/healthz');
    const huge = await app().inject({ method: 'POST', url: '/v1/users', headers: { 'content-type': 'application/json' }, payload: `{"username":"${'x'.repeat(2 * 1024 * 1024)}"}` });
    assert.equal(huge.statusCode, 429);
    assert.equal(huge.json().code, 'rate_limited');
    const broken = await app().inject({ method: 'POST', url: '/v1/spaces', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, payload: '{"name":' });
    assert.equal(broken.statusCode, 429);
    const text = await app().inject({ method: 'POST', url: '/v1/users', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    assert.equal(text.statusCode, 429);
  });

  it('runs before any password check: Basic over the limit costs the account nothing', async () => {
    rest();
    for (let i = 0; i < 4; i++) await call(app(), 'GET', '/healthz');
    // Were these password checks, the per-account limit (loginPerAccountPerMinute) would see them.
    for (let i = 0; i < 20; i++) {
      const res = await call(app(), 'POST', '/v1/tokens', { headers: { authorization: basicAuth('alice', 'wrong-password-123456') }, body: { name: 'x' } });
      assertLimited(res, 'address');
    }
    rest();
    const ok = await call(app(), 'POST', '/v1/tokens', { headers: { authorization: basicAuth('alice', passwordFor('alice')) }, body: { name: 'after' } });
    assert.equal(ok.status, 201);
  });

  it('a spoofed X-Forwarded-For neither moves the client to another bucket nor reaches the audit log', async () => {
    rest();
    const results: Res[] = [];
    for (let i = 0; i < 5; i++) results.push(await call(app(), 'GET', '/healthz', { headers: { 'x-forwarded-for': `198.51.100.${i}` } }));
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 429]);
    assert.deepEqual(await auditedAddress(server, results[0]!), ['127.0.0.1', '127.0.0.1']);
  });
});

describe('per-user limit after authentication (1/s, bursts of 2)', () => {
  let server: TestServer;
  let clock: Clock;
  const app = () => server.app.fastify;

  before(async () => {
    clock = fakeClock();
    server = await startTestServer({ clock, config: { rateLimit: { userPerSecond: 1 } as Config['rateLimit'] } });
  });
  after(() => server.close());

  it('limits each user separately, whatever address they share', async () => {
    const alice = await userWithToken(app(), 'alice');
    const bob = await userWithToken(app(), 'bob');
    clock.advance(60_000);
    assert.equal((await call(app(), 'GET', '/v1/users/me', { token: alice.token })).status, 200);
    assert.equal((await call(app(), 'GET', '/v1/users/me', { token: alice.token })).status, 200);
    const limited = await call(app(), 'GET', '/v1/users/me', { token: alice.token });
    assertLimited(limited, 'user');
    assert.equal(limited.headers['ratelimit-policy'], '"user";q=2;w=2');
    // Same address (inject is always 127.0.0.1): bob and anonymous callers are unaffected.
    assert.equal((await call(app(), 'GET', '/v1/users/me', { token: bob.token })).status, 200);
    assert.equal((await call(app(), 'GET', '/healthz')).status, 200);
    // Alice's limit follows her to every route and credential; anonymous routes stay open.
    assertLimited(await call(app(), 'GET', '/v1/spaces', { token: alice.token }), 'user');
    clock.advance(1000);
    assert.equal((await call(app(), 'GET', '/v1/users/me', { token: alice.token })).status, 200);
  });
});

describe('global limit (1/s, bursts of 2)', () => {
  it('limits the whole server, whoever asks', async () => {
    const clock = fakeClock();
    const server = await startTestServer({ clock, config: { rateLimit: { globalPerSecond: 1 } as Config['rateLimit'] } });
    try {
      const app = server.app.fastify;
      assert.equal((await call(app, 'GET', '/healthz')).status, 200);
      assert.equal((await call(app, 'GET', '/readyz')).status, 200);
      const limited = await call(app, 'GET', '/healthz');
      assertLimited(limited, 'global');
      assert.equal(limited.headers['ratelimit-policy'], '"global";q=2;w=2');
      clock.advance(1000);
      assert.equal((await call(app, 'GET', '/healthz')).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('failed password checks per account (3 free, then doubling waits)', () => {
  let server: TestServer;
  let clock: Clock & { advance(ms: number): void };
  const app = () => server.app.fastify;
  const basic = (username: string, password: string) =>
    call(app(), 'POST', '/v1/tokens', { headers: { authorization: basicAuth(username, password) }, body: { name: 't' } });
  const login = (username: string, password: string) => call(app(), 'POST', '/v1/sessions', { body: { username, password } });
  /** What a client can see of a response, minus the per-request id. */
  const visible = (r: Res) => ({
    status: r.status,
    body: { ...r.json, requestId: undefined },
    wwwAuthenticate: r.headers['www-authenticate'],
    retryAfter: r.headers['retry-after'],
    policy: r.headers['ratelimit-policy'],
  });
  const rule = { freeFailures: 3, maxDelaySeconds: 900, forgetAfterSeconds: 3600 };
  const relaxed = { freeFailures: 1_000_000, maxDelaySeconds: 1, forgetAfterSeconds: 1 };

  before(async () => {
    clock = fakeClock();
    server = await startTestServer({ clock, loginThrottle: { account: rule, device: rule, address: relaxed, range: relaxed } });
    await userWithToken(app(), 'alice');
    await userWithToken(app(), 'carol');
  });
  after(() => server.close());

  it('wrong passwords: 401 until the free failures are used, then 429 with the limit headers; recovers with time', async () => {
    clock.advance(2 * 3600_000);
    for (let i = 0; i < 3; i++) assert.equal((await basic('alice', `wrong-password-${i}-abcdef`)).status, 401);
    const limited = await basic('alice', passwordFor('alice'));
    assertLimited(limited, 'login');
    assert.equal(limited.headers['retry-after'], '1'); // the first wait after the free failures
    // Other accounts are not affected by alice's limit (it is per account, not per address).
    assert.equal((await basic('carol', passwordFor('carol'))).status, 201);
    clock.advance(1000);
    assert.equal((await basic('alice', passwordFor('alice'))).status, 201);
  });

  it('unknown usernames behave exactly like wrong passwords (no account enumeration)', async () => {
    clock.advance(2 * 3600_000);
    const known: Res[] = [];
    const unknown: Res[] = [];
    for (let i = 0; i < 4; i++) known.push(await basic('alice', `wrong-password-${i}-abcdef`));
    for (let i = 0; i < 4; i++) unknown.push(await basic('nobody', `wrong-password-${i}-abcdef`));
    assert.deepEqual(known.map((r) => r.status), [401, 401, 401, 429]);
    assert.deepEqual(unknown.map(visible), known.map(visible));
    assert.equal(known[0]!.json.code, 'unauthenticated');
  });

  it('POST /v1/sessions shares the same per-account budget and behaves the same for unknown users', async () => {
    clock.advance(2 * 3600_000);
    assert.equal((await basic('alice', 'wrong-password-abcdef')).status, 401);
    assert.equal((await login('alice', 'wrong-password-abcdef')).status, 401);
    assert.equal((await login('alice', 'wrong-password-abcdef')).status, 401);
    assertLimited(await login('alice', passwordFor('alice')), 'login');
    assertLimited(await basic('alice', passwordFor('alice')), 'login');

    const known: Res[] = [];
    const unknown: Res[] = [];
    for (let i = 0; i < 4; i++) known.push(await login('carol', `wrong-password-${i}-abcdef`));
    for (let i = 0; i < 4; i++) unknown.push(await login('nobody2', `wrong-password-${i}-abcdef`));
    assert.deepEqual(known.map((r) => r.status), [401, 401, 401, 429]);
    assert.deepEqual(unknown.map(visible), known.map(visible));
  });
});

describe('X-Forwarded-For from a configured proxy (trustProxy ["127.0.0.1"])', () => {
  let server: TestServer;
  const app = () => server.app.fastify;

  before(async () => {
    server = await startTestServer({ clock: fakeClock(), config: { trustProxy: ['127.0.0.1'], rateLimit: { addressPerSecond: 1 } as Config['rateLimit'] } });
  });
  after(() => server.close());

  it('uses the forwarded address for the limit and the audit log', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(app(), 'GET', '/healthz', { headers: { 'x-forwarded-for': `198.51.100.${i}` } })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200], 'six clients behind the proxy, one request each');
    const res = await call(app(), 'GET', '/healthz', { headers: { 'x-forwarded-for': '203.0.113.7' } });
    assert.deepEqual(await auditedAddress(server, res), ['203.0.113.7', '203.0.113.7']);
    // One of them, over its own limit (bursts of 2), is limited alone.
    await call(app(), 'GET', '/healthz', { headers: { 'x-forwarded-for': '203.0.113.7' } });
    assertLimited(await call(app(), 'GET', '/healthz', { headers: { 'x-forwarded-for': '203.0.113.7' } }), 'address');
  });

  it('believes only the hop the proxy added, not what the client wrote before it', async () => {
    const res = await call(app(), 'GET', '/healthz', { headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.50' } });
    assert.deepEqual(await auditedAddress(server, res), ['203.0.113.50', '203.0.113.50']);
  });
});
