// Passkeys with a real software authenticator: Chromium's virtual WebAuthn authenticator over
// the DevTools protocol, on a page at the test server's origin (https://localhost:<port>, RP id
// localhost). Registration, several authenticators per user, passwordless login, the passkey
// as second factor, single-use and expiring challenges, clone detection by the signature
// counter, and removal.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, passwordFor, userWithToken } from '../../helpers/api.ts';
import { fakeClock, httpsRequest, startTestServer, type TestServer } from '../../helpers/testServer.ts';
import { VirtualAuthenticatorLab, BROWSER_SUITE } from '../../helpers/virtualAuthenticator.ts';

describe('passkeys (Chromium virtual authenticator)', BROWSER_SUITE, () => {
  const clock = fakeClock();
  let server: TestServer;
  let lab: VirtualAuthenticatorLab;
  let token: string;
  let first: string;
  let firstCredentialId: string;
  let exported: Awaited<ReturnType<VirtualAuthenticatorLab['exportCredentials']>>;
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    httpsRequest(server, method, path, { headers: { authorization: `Bearer ${token}`, ...headers }, ...(body !== undefined ? { body } : {}) });
  const anon = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    httpsRequest(server, method, path, { headers, ...(body !== undefined ? { body } : {}) });

  async function registerWith(name: string) {
    const start = await api('POST', '/v1/users/me/mfa/webauthn/options');
    assert.equal(start.status, 200, start.text);
    const response = await lab.create(start.json.options);
    return api('POST', '/v1/users/me/mfa/webauthn', { challengeId: start.json.challengeId, response, name });
  }
  async function assertion() {
    const start = await anon('POST', '/v1/sessions/webauthn/options');
    assert.equal(start.status, 200, start.text);
    return { challengeId: start.json.challengeId as string, response: await lab.get(start.json.options) };
  }

  before(async () => {
    server = await startTestServer({ listen: true, clock });
    const origin = server.url.replace('127.0.0.1', 'localhost');
    lab = await VirtualAuthenticatorLab.open(origin);
    token = (await userWithToken(server.app.fastify, 'alice')).token;
  });
  after(async () => {
    await lab?.close();
    await server.close();
  });

  it('registers a passkey; the same authenticator cannot register twice', async () => {
    first = await lab.addAuthenticator();
    const res = await registerWith('laptop');
    assert.equal(res.status, 201, res.text);
    firstCredentialId = res.json.id;
    assert.equal(res.json.name, 'laptop');
    const again = await api('POST', '/v1/users/me/mfa/webauthn/options');
    assert.deepEqual(again.json.options.excludeCredentials.map((c: { id: string }) => c.id), [firstCredentialId]);
    await assert.rejects(lab.create(again.json.options), /InvalidStateError|excluded|already/i);
    exported = await lab.exportCredentials(first);
    assert.equal(exported.length, 1);
  });

  it('holds several authenticators per user, counted in /v1/users/me', async () => {
    await lab.removeAuthenticator(first);
    const second = await lab.addAuthenticator();
    const res = await registerWith('phone');
    assert.equal(res.status, 201, res.text);
    const me = await api('GET', '/v1/users/me');
    assert.equal(me.json.mfa.webauthn, 2);
    const list = await api('GET', '/v1/users/me/mfa/webauthn');
    assert.deepEqual(list.json.items.map((p: { name: string }) => p.name).sort(), ['laptop', 'phone']);
    await lab.removeAuthenticator(second);
  });

  it('logs in without a password (discoverable credential, user verification)', async () => {
    first = await lab.addAuthenticator();
    await lab.importCredential(first, exported[0]!);
    const a = await assertion();
    const login = await anon('POST', '/v1/sessions/webauthn', a);
    assert.equal(login.status, 201, login.text);
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-gh_session='))!.split(';')[0]!;
    const me = await anon('GET', '/v1/users/me', undefined, { cookie });
    assert.equal(me.json.username, 'alice');
    assert.equal(me.json.authMethod, 'session');

    const replay = await anon('POST', '/v1/sessions/webauthn', a);
    assert.equal(replay.status, 401, 'a challenge is single use');
  });

  it('refuses an answer to an expired challenge', async () => {
    const start = await anon('POST', '/v1/sessions/webauthn/options');
    const response = await lab.get(start.json.options);
    clock.advance(5 * 60_000 + 1);
    assert.equal((await anon('POST', '/v1/sessions/webauthn', { challengeId: start.json.challengeId, response })).status, 401);
  });

  it('is a second factor: the password alone is not enough on either login path', async () => {
    const body = { username: 'alice', password: passwordFor('alice') };
    const without = await anon('POST', '/v1/sessions', body);
    assert.equal(without.status, 401);
    assert.equal(without.json.code, 'mfa_required');
    const withPasskey = await anon('POST', '/v1/sessions', { ...body, passkey: await assertion() });
    assert.equal(withPasskey.status, 201, withPasskey.text);
    const basic = { authorization: basicAuth('alice', passwordFor('alice')) };
    assert.equal((await anon('POST', '/v1/tokens', { name: 'ci' }, basic)).json.code, 'mfa_required');
    const tok = await anon('POST', '/v1/tokens', { name: 'ci', passkey: await assertion() }, basic);
    assert.equal(tok.status, 201, tok.text);
  });

  it('refuses a clone: an authenticator whose signature counter went backwards', async () => {
    const stale = exported[0]!; // a copy of the key taken before the logins above
    const current = (await lab.exportCredentials(first))[0]!;
    assert.ok(current.signCount > stale.signCount, `counter moved on: ${stale.signCount} → ${current.signCount}`);
    await lab.removeAuthenticator(first);
    const clone = await lab.addAuthenticator();
    await lab.importCredential(clone, stale);
    const res = await anon('POST', '/v1/sessions/webauthn', await assertion());
    assert.equal(res.status, 401);
    await server.app.auditLog.flush();
    const reasons = await server.database.db.selectFrom('audit_log').select('reason').where('reason', 'like', '%counter%').execute();
    assert.ok(reasons.length > 0, 'refused because of the counter');
    // The same key with its real counter still works: it was the counter that was refused.
    await lab.removeAuthenticator(clone);
    first = await lab.addAuthenticator();
    await lab.importCredential(first, current);
    assert.equal((await anon('POST', '/v1/sessions/webauthn', await assertion())).status, 201);
  });

  it('removes a passkey: it no longer logs in, and the count drops', async () => {
    const del = await api('DELETE', `/v1/users/me/mfa/webauthn/${encodeURIComponent(firstCredentialId)}`);
    assert.equal(del.status, 204);
    assert.equal((await api('GET', '/v1/users/me')).json.mfa.webauthn, 1);
    assert.equal((await anon('POST', '/v1/sessions/webauthn', await assertion())).status, 401);
    assert.equal((await api('DELETE', `/v1/users/me/mfa/webauthn/${encodeURIComponent(firstCredentialId)}`)).status, 404);
  });
});
