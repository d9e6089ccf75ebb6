// Browser sessions over the real HTTPS listener: the cookie's attributes, the CSRF token and
// Origin check, the session list, sign out everywhere, idle and absolute timeouts (fake
// clock), and password or MFA changes ending the user's other sessions and tokens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, call, passwordFor, userWithToken } from '../helpers/api.ts';
import { codeNow, enableTotp } from '../helpers/mfa.ts';
import { hashSecret } from '../../src/crypto/random.ts';
import { fakeClock, httpsRequest, startTestServer, type TestServer } from '../helpers/testServer.ts';

interface Browser {
  cookie: string;
  csrf: string;
}

describe('browser sessions', () => {
  const clock = fakeClock();
  let server: TestServer;

  async function login(username: string, extra: Record<string, unknown> = {}): Promise<Browser> {
    const res = await httpsRequest(server, 'POST', '/v1/sessions', { body: { username, password: passwordFor(username), ...extra } });
    assert.equal(res.status, 201, res.text);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-gh_session='))!;
    return { cookie: setCookie.split(';')[0]!, csrf: res.json.csrfToken };
  }
  const get = (b: Browser, path: string) => httpsRequest(server, 'GET', path, { headers: { cookie: b.cookie } });
  const send = (b: Browser, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    httpsRequest(server, method, path, { headers: { cookie: b.cookie, 'x-csrf-token': b.csrf, ...headers }, ...(body !== undefined ? { body } : {}) });

  before(async () => {
    server = await startTestServer({ listen: true, clock, config: { sessionIdleTimeoutSeconds: 600, sessionAbsoluteTimeoutSeconds: 3600 } });
    for (const u of ['alice', 'bob', 'carol', 'dave']) await userWithToken(server.app.fastify, u);
  });
  after(() => server.close());

  it('sets a __Host- cookie: HttpOnly, Secure, SameSite=Strict, Path=/, no Domain', async () => {
    const res = await httpsRequest(server, 'POST', '/v1/sessions', { body: { username: 'alice', password: passwordFor('alice') } });
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-gh_session='))!;
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /Domain=/i);
  });

  it('stores only a hash of the session secret: the secret appears in no column of the sessions table', async () => {
    const b = await login('alice');
    const value = b.cookie.slice('__Host-gh_session='.length);
    const [id, secret] = value.split('.');
    assert.ok(id && secret && secret.length >= 32, `cookie value <id>.<secret>: ${value}`);
    const rows = await server.database.db.selectFrom('sessions').selectAll().execute();
    const row = rows.find((r) => r.id === id);
    assert.ok(row, 'the session is stored under its id');
    for (const r of rows) {
      for (const [column, v] of Object.entries(r)) {
        const text = String(v as unknown);
        assert.ok(!text.includes(secret) && !text.includes(value), `sessions.${column} holds the secret`);
      }
    }
    assert.equal(row.secret_hash, hashSecret(secret));
  });

  it('state changes need the session’s CSRF token and no foreign Origin', async () => {
    const b = await login('alice');
    const ok = await send(b, 'POST', '/v1/spaces', { name: 'mine' }, { origin: new URL(server.url).origin });
    assert.equal(ok.status, 201, ok.text);
    const foreign = await send(b, 'POST', '/v1/spaces', { name: 'x' }, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.json.code, 'csrf_failed');
    const nullOrigin = await send(b, 'POST', '/v1/spaces', { name: 'x' }, { origin: 'null' });
    assert.equal(nullOrigin.json.code, 'csrf_failed');
    const plainHttp = await send(b, 'POST', '/v1/spaces', { name: 'x' }, { origin: `http://${new URL(server.url).host}` });
    assert.equal(plainHttp.json.code, 'csrf_failed');
  });

  it('lists the caller’s live sessions, marking the current one, and nobody else’s', async () => {
    const first = await login('bob');
    await login('bob');
    await login('alice');
    const res = await get(first, '/v1/sessions');
    assert.equal(res.status, 200);
    assert.equal(res.json.items.length, 2);
    assert.equal(res.json.items.filter((s: { current: boolean }) => s.current).length, 1);
    assert.ok(!JSON.stringify(res.json).includes(first.cookie.split('=')[1]!.split('.')[1]!), 'never the secret');
  });

  it('sign out everywhere ends every session of the caller', async () => {
    const a = await login('carol');
    const b = await login('carol');
    const res = await send(a, 'DELETE', '/v1/sessions');
    assert.equal(res.status, 204);
    assert.equal((await get(a, '/v1/users/me')).status, 401);
    assert.equal((await get(b, '/v1/users/me')).status, 401);
  });

  it('idle timeout, then absolute timeout, on the fake clock', async () => {
    const b = await login('alice');
    clock.advance(599_000);
    assert.equal((await get(b, '/v1/users/me')).status, 200, 'just inside the idle timeout');
    clock.advance(599_000);
    assert.equal((await get(b, '/v1/users/me')).status, 200, 'activity moved the idle deadline');
    clock.advance(600_000);
    assert.equal((await get(b, '/v1/users/me')).status, 401, 'idle for 10 minutes');

    const c = await login('alice');
    for (let t = 0; t < 3500; t += 500) {
      clock.advance(500_000);
      assert.equal((await get(c, '/v1/users/me')).status, 200);
    }
    clock.advance(100_000);
    assert.equal((await get(c, '/v1/users/me')).status, 401, 'absolute timeout despite activity');
  });

  it('password change needs the current password and ends the other sessions and tokens', async () => {
    const { token } = await (async () => {
      const tok = await call(server.app.fastify, 'POST', '/v1/tokens', {
        headers: { authorization: `Basic ${Buffer.from(`dave:${passwordFor('dave')}`).toString('base64')}` },
        body: { name: 'other' },
      });
      return tok.json;
    })();
    const here = await login('dave');
    const elsewhere = await login('dave');
    const newPassword = 'Another-long-passphrase-77';
    const wrong = await send(here, 'PUT', '/v1/users/me/password', { currentPassword: 'Wrong-password-123456', newPassword });
    assert.equal(wrong.status, 403);
    const weak = await send(here, 'PUT', '/v1/users/me/password', { currentPassword: passwordFor('dave'), newPassword: 'password1234' });
    assert.equal(weak.status, 400);
    assert.equal(weak.json.code, 'weak_password');
    const ok = await send(here, 'PUT', '/v1/users/me/password', { currentPassword: passwordFor('dave'), newPassword });
    assert.equal(ok.status, 204, ok.text);
    assert.equal((await get(here, '/v1/users/me')).status, 200, 'the session that changed it stays');
    assert.equal((await get(elsewhere, '/v1/users/me')).status, 401);
    assert.equal((await httpsRequest(server, 'GET', '/v1/users/me', { headers: { authorization: `Bearer ${token}` } })).status, 401);
    const oldLogin = await httpsRequest(server, 'POST', '/v1/sessions', { body: { username: 'dave', password: passwordFor('dave') } });
    assert.equal(oldLogin.status, 401);
    assert.equal((await httpsRequest(server, 'POST', '/v1/sessions', { body: { username: 'dave', password: newPassword } })).status, 201);
  });

  it('turning TOTP on ends the user’s other sessions and tokens', async () => {
    const other = await userWithToken(server.app.fastify, 'erin');
    const browser = await login('erin');
    const enroller = await call(server.app.fastify, 'POST', '/v1/tokens', {
      headers: { cookie: browser.cookie, 'x-csrf-token': browser.csrf }, body: { name: 'enroller' },
    });
    assert.equal(enroller.status, 201);
    await enableTotp(server.app.fastify, enroller.json.token, clock);
    assert.equal((await get(browser, '/v1/users/me')).status, 401);
    assert.equal((await call(server.app.fastify, 'GET', '/v1/users/me', { token: other.token })).status, 401);
    assert.equal((await call(server.app.fastify, 'GET', '/v1/users/me', { token: enroller.json.token })).status, 200, 'the enrolling token stays');
  });

  it('turning TOTP off ends the user’s other sessions and tokens', async () => {
    const enroller = await userWithToken(server, 'frank');
    const { secret, recoveryCodes } = await enableTotp(server, enroller.token, clock);
    const here = await login('frank', { otp: recoveryCodes[0] });
    const elsewhere = await login('frank', { otp: recoveryCodes[1] });
    const other = await httpsRequest(server, 'POST', '/v1/tokens', {
      headers: { authorization: basicAuth('frank', passwordFor('frank')) }, body: { name: 'other', otp: recoveryCodes[2] },
    });
    assert.equal(other.status, 201, other.text);
    const bearer = (token: string) => httpsRequest(server, 'GET', '/v1/users/me', { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await bearer(other.json.token)).status, 200);
    clock.advance(60_000);
    const off = await send(here, 'DELETE', '/v1/users/me/mfa/totp', { code: codeNow(secret, clock) });
    assert.equal(off.status, 204, off.text);
    assert.equal((await get(here, '/v1/users/me')).status, 200, 'the session that turned it off stays');
    assert.equal((await get(elsewhere, '/v1/users/me')).status, 401);
    assert.equal((await bearer(other.json.token)).status, 401);
    assert.equal((await bearer(enroller.token)).status, 401);
  });
});
