// Authentication through the real pipeline (buildApp + inject, fake clock). Proves: a
// malformed Authorization header is 401 with WWW-Authenticate; every way a token can be bad
// (unknown id, wrong secret, revoked, expired, not ours) looks exactly the same outside;
// HTTP Basic is refused everywhere but POST /v1/tokens, without a password check; a bearer
// token cannot mint tokens; scopes are enforced; and the browser session: a __Host- cookie
// with HttpOnly, Secure, SameSite=Strict, Path=/, CSRF token and Sec-Fetch-Site checks on
// state changes, logout that kills the session, a fresh id on every login (no fixation,
// and a stale cookie never blocks logging in again), idle and absolute timeouts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import { basicAuth, call, passwordFor, userWithToken } from '../../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

type Res = Awaited<ReturnType<typeof call>>;

/** What a client sees of a 401, minus the per-request id. */
const visible = (r: Res) => ({ status: r.status, body: { ...r.json, requestId: undefined }, challenge: r.headers['www-authenticate'] });

function assertUnauthenticated(res: Res): void {
  assert.equal(res.status, 401, res.body);
  assert.equal(res.json.code, 'unauthenticated');
  assert.match(String(res.headers['www-authenticate']), /^Bearer realm="gatehouse"/);
}

/** The session cookie's value and attributes from a Set-Cookie header. */
function sessionCookie(res: Res): { value: string; attributes: string[] } {
  const raw = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-gh_session='));
  assert.ok(raw, 'a __Host-gh_session cookie is set');
  const [pair, ...attributes] = raw.split(';').map((s) => s.trim());
  return { value: pair!.slice('__Host-gh_session='.length), attributes: attributes.map((a) => a.toLowerCase()) };
}

describe('authentication', () => {
  let server: TestServer;
  const clock = fakeClock();
  const app = () => server.app.fastify;

  before(async () => {
    server = await startTestServer({ clock });
    await userWithToken(app(), 'alice');
    await userWithToken(app(), 'bob');
  });
  after(() => server.close());

  /** A browser login; returns the cookie header and the CSRF token. */
  async function browserLogin(username: string, extraHeaders: Record<string, string> = {}) {
    const res = await call(app(), 'POST', '/v1/sessions', { body: { username, password: passwordFor(username) }, headers: extraHeaders });
    assert.equal(res.status, 201, res.body);
    const { value } = sessionCookie(res);
    return { res, value, cookie: `__Host-gh_session=${value}`, csrf: res.json.csrfToken as string };
  }

  async function issueToken(username: string, body: Record<string, unknown> = {}) {
    const res = await call(app(), 'POST', '/v1/tokens', { headers: { authorization: basicAuth(username, passwordFor(username)) }, body: { name: 't', ...body } });
    assert.equal(res.status, 201, res.body);
    return res.json as { id: string; token: string };
  }

  it('a malformed Authorization header is 401 with WWW-Authenticate, on any route', async () => {
    for (const authorization of ['Bearer', 'Bearer a b', 'Digest realm=x', 'Basic !!!', 'Token abc']) {
      assertUnauthenticated(await call(app(), 'GET', '/v1/users/me', { headers: { authorization } }));
      assertUnauthenticated(await call(app(), 'GET', '/healthz', { headers: { authorization } }));
    }
  });

  it('unknown id, wrong secret, revoked, expired, foreign token: identical 401s', async () => {
    const live = await issueToken('alice');
    const revoked = await issueToken('alice');
    assert.equal((await call(app(), 'DELETE', `/v1/tokens/${revoked.id}`, { token: revoked.token })).status, 204);
    const expiring = await issueToken('alice', { expiresInSeconds: 60 });
    assert.equal((await call(app(), 'GET', '/v1/users/me', { token: expiring.token })).status, 200);
    clock.advance(60_000);

    const secret = live.token.slice(live.token.indexOf('.') + 1);
    const bad = {
      unknownId: `ght_AAAAAAAAAAAAAAAA.${secret}`,
      wrongSecret: `ght_${live.id}.${'x'.repeat(secret.length)}`,
      revoked: revoked.token,
      expired: expiring.token,
      notOurs: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.',
    };
    const answers = await Promise.all(Object.values(bad).map((token) => call(app(), 'GET', '/v1/users/me', { token })));
    answers.forEach(assertUnauthenticated);
    for (const a of answers) assert.deepEqual(visible(a), visible(answers[0]!));
    assert.equal((await call(app(), 'GET', '/v1/users/me', { token: live.token })).status, 200, 'the live token still works');
  });

  it('HTTP Basic is refused on every route but POST /v1/tokens, without checking the password', async () => {
    // A server that locks an account after two failed password checks. The refused requests
    // carry a wrong password: had any of them been checked, it would count as a failure and the
    // real logins at the end would be refused (429).
    const twoFailures = { freeFailures: 2, maxDelaySeconds: 900, forgetAfterSeconds: 3600 };
    const strict = await startTestServer({ loginThrottle: { account: twoFailures, device: twoFailures, address: twoFailures, range: twoFailures }, clock: fakeClock() });
    try {
      const s = strict.app.fastify;
      assert.equal((await call(s, 'POST', '/v1/users', { body: { username: 'dave', password: passwordFor('dave') } })).status, 201);
      const authorization = basicAuth('dave', 'a-wrong-password-for-dave');
      const attempts = [
        ['GET', '/v1/users/me'], ['GET', '/v1/tokens'], ['POST', '/v1/spaces'], ['GET', '/healthz'],
        ['POST', '/v1/sessions'], ['DELETE', '/v1/sessions/current'], ['POST', '/v1/users'],
      ] as const;
      for (let round = 0; round < 2; round++) {
        for (const [method, url] of attempts) {
          const res = await call(s, method, url, { headers: { authorization }, body: { name: 'x' } });
          assertUnauthenticated(res);
        }
      }
      const right = basicAuth('dave', passwordFor('dave'));
      for (let i = 0; i < 2; i++) {
        assert.equal((await call(s, 'POST', '/v1/tokens', { headers: { authorization: right }, body: { name: `t${i}` } })).status, 201);
      }
    } finally {
      await strict.close();
    }
  });

  it('a bearer token cannot mint tokens; the challenge offers Basic there', async () => {
    const { token } = await issueToken('alice');
    const res = await call(app(), 'POST', '/v1/tokens', { token, body: { name: 'minted' } });
    assertUnauthenticated(res);
    assert.match(String(res.headers['www-authenticate']), /Basic realm="gatehouse"/);
  });

  it('scopes: a read-only token reads but cannot write; a write-only token cannot read', async () => {
    const reader = await issueToken('alice', { scopes: ['read'] });
    assert.equal((await call(app(), 'GET', '/v1/users/me', { token: reader.token })).status, 200);
    for (const [method, url] of [['POST', '/v1/spaces'], ['DELETE', `/v1/tokens/${reader.id}`]] as const) {
      const res = await call(app(), method, url, { token: reader.token, body: { name: 'x' } });
      assert.equal(res.status, 403, `${method} ${url}`);
      assert.equal(res.json.code, 'insufficient_scope');
    }
    const writer = await issueToken('alice', { scopes: ['write'] });
    const read = await call(app(), 'GET', '/v1/users/me', { token: writer.token });
    assert.equal(read.status, 403);
    assert.equal(read.json.code, 'insufficient_scope');
    assert.equal((await call(app(), 'POST', '/v1/spaces', { token: writer.token, body: { name: 'w' } })).status, 201);
  });

  it('a user who is not an administrator cannot obtain the admin scope', async () => {
    const res = await call(app(), 'POST', '/v1/tokens', { headers: { authorization: basicAuth('alice', passwordFor('alice')) }, body: { name: 'x', scopes: ['read', 'admin'] } });
    assert.equal(res.status, 403);
    assert.equal(res.json.code, 'forbidden');
    assert.equal(res.json.field, 'scopes');
  });

  it('browser login sets __Host-gh_session with HttpOnly, Secure, SameSite=Strict and Path=/', async () => {
    const { res, value, csrf } = await browserLogin('alice');
    const { attributes } = sessionCookie(res);
    for (const a of ['httponly', 'secure', 'samesite=strict', 'path=/']) assert.ok(attributes.includes(a), `cookie has ${a}: ${attributes.join('; ')}`);
    assert.ok(!attributes.some((a) => a.startsWith('domain=')), '__Host- cookies carry no Domain');
    assert.ok(value.length >= 40, 'the cookie value is long and random');
    assert.ok(csrf.length >= 32);
    assert.ok(!Number.isNaN(Date.parse(res.json.expiresAt)));
  });

  it('with the cookie: reads work; state changes need the session’s CSRF token and no cross-site fetch', async () => {
    const a = await browserLogin('alice');
    const other = await browserLogin('alice');
    const me = await call(app(), 'GET', '/v1/users/me', { headers: { cookie: a.cookie } });
    assert.equal(me.status, 200);
    assert.equal(me.json.username, 'alice');

    const refused: Record<string, Record<string, string>> = {
      'no token': {},
      'wrong token': { 'x-csrf-token': 'A'.repeat(a.csrf.length) },
      'another session’s token': { 'x-csrf-token': other.csrf },
      'cross-site fetch': { 'x-csrf-token': a.csrf, 'sec-fetch-site': 'cross-site' },
      'same-site fetch': { 'x-csrf-token': a.csrf, 'sec-fetch-site': 'same-site' },
    };
    for (const [what, headers] of Object.entries(refused)) {
      const res = await call(app(), 'POST', '/v1/spaces', { headers: { cookie: a.cookie, ...headers }, body: { name: 'x' } });
      assert.equal(res.status, 403, what);
      assert.equal(res.json.code, 'csrf_failed', what);
    }
    const ok = await call(app(), 'POST', '/v1/spaces', { headers: { cookie: a.cookie, 'x-csrf-token': a.csrf, 'sec-fetch-site': 'same-origin' }, body: { name: 'by browser' } });
    assert.equal(ok.status, 201);
    assert.equal(ok.json.owner, 'alice');
  });

  it('a bearer token next to a cookie is the credential used: no CSRF needed, and a bad one is not rescued', async () => {
    const a = await browserLogin('alice');
    const { token } = await issueToken('bob');
    const asBob = await call(app(), 'POST', '/v1/spaces', { token, headers: { cookie: a.cookie }, body: { name: 'b' } });
    assert.equal(asBob.status, 201);
    assert.equal(asBob.json.owner, 'bob');
    assertUnauthenticated(await call(app(), 'GET', '/v1/users/me', { token: 'ght_bad.token', headers: { cookie: a.cookie } }));
  });

  it('logout needs the CSRF token, answers 204, and the cookie is dead afterwards', async () => {
    const a = await browserLogin('alice');
    const { token } = await issueToken('alice');
    assertUnauthenticated(await call(app(), 'DELETE', '/v1/sessions/current', { token }));
    assert.equal((await call(app(), 'DELETE', '/v1/sessions/current', { headers: { cookie: a.cookie } })).json.code, 'csrf_failed');
    const out = await call(app(), 'DELETE', '/v1/sessions/current', { headers: { cookie: a.cookie, 'x-csrf-token': a.csrf } });
    assert.equal(out.status, 204);
    assert.ok(/__Host-gh_session=;/.test(String(out.headers['set-cookie'])), 'the cookie is cleared');
    assertUnauthenticated(await call(app(), 'GET', '/v1/users/me', { headers: { cookie: a.cookie } }));
    assertUnauthenticated(await call(app(), 'POST', '/v1/spaces', { headers: { cookie: a.cookie, 'x-csrf-token': a.csrf }, body: { name: 'x' } }));
  });

  it('every login gets a fresh session; a planted, stale or live cookie is never reused and never blocks login', async () => {
    const first = await browserLogin('alice');
    const second = await browserLogin('alice');
    assert.notEqual(first.value, second.value);
    assert.notEqual(first.value.split('.')[0], second.value.split('.')[0], 'a new session id');
    assert.notEqual(first.csrf, second.csrf);

    // Session fixation: an attacker plants a cookie of their choosing, the victim logs in.
    const planted = await browserLogin('alice', { cookie: '__Host-gh_session=attackerchosen.value' });
    assert.notEqual(planted.value, 'attackerchosen.value');
    // Logging in again while still logged in (the browser sends the live cookie) gives a new session.
    const again = await browserLogin('alice', { cookie: first.cookie });
    assert.notEqual(again.value, first.value);
    // A dead cookie (logged out) must not lock the user out of logging in again.
    await call(app(), 'DELETE', '/v1/sessions/current', { headers: { cookie: again.cookie, 'x-csrf-token': again.csrf } });
    const afterLogout = await browserLogin('alice', { cookie: again.cookie });
    assert.equal((await call(app(), 'GET', '/v1/users/me', { headers: { cookie: afterLogout.cookie } })).status, 200);
  });

  it('a session dies after 30 idle minutes; activity keeps it alive', async () => {
    const a = await browserLogin('bob');
    const get = () => call(app(), 'GET', '/v1/users/me', { headers: { cookie: a.cookie } });
    clock.advance(20 * 60_000);
    assert.equal((await get()).status, 200);
    clock.advance(20 * 60_000);
    assert.equal((await get()).status, 200, '40 minutes after login, but only 20 idle');
    clock.advance(30 * 60_000);
    assertUnauthenticated(await get());
  });

  it('a session dies after 12 hours however active it is', async () => {
    const a = await browserLogin('bob');
    const get = () => call(app(), 'GET', '/v1/users/me', { headers: { cookie: a.cookie } });
    for (let minutes = 0; minutes < 12 * 60 - 20; minutes += 20) {
      clock.advance(20 * 60_000);
      assert.equal((await get()).status, 200, `after ${minutes + 20} minutes`);
    }
    clock.advance(20 * 60_000);
    assertUnauthenticated(await get());
  });
});
