// Adding or removing a passkey is an MFA change: whoever made it keeps their credential, and
// every other session and token of the user ends (issue 3, "Password change and MFA changes
// end the user's other sessions and tokens"): a thief holding an old session must not ride
// through the owner's security change. Real software authenticator (Chromium's virtual one),
// real HTTPS listener.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { basicAuth, passwordFor, userWithToken } from '../../helpers/api.ts';
import { httpsRequest, startTestServer, type TestServer } from '../../helpers/testServer.ts';
import { BROWSER_SUITE, VirtualAuthenticatorLab } from '../../helpers/virtualAuthenticator.ts';

interface Browser {
  cookie: string;
  csrf: string;
}

describe('passkey changes end the user’s other sessions and tokens', BROWSER_SUITE, () => {
  let server: TestServer;
  let lab: VirtualAuthenticatorLab;
  let authenticator: string | undefined;

  const viaBearer = (token: string, method: string, path: string, body?: unknown) =>
    httpsRequest(server, method, path, { headers: { authorization: `Bearer ${token}` }, ...(body !== undefined ? { body } : {}) });
  const viaCookie = (b: Browser, method: string, path: string, body?: unknown) =>
    httpsRequest(server, method, path, { headers: { cookie: b.cookie, 'x-csrf-token': b.csrf }, ...(body !== undefined ? { body } : {}) });
  const browserFrom = (res: Awaited<ReturnType<typeof httpsRequest>>): Browser => {
    assert.equal(res.status, 201, res.text);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-gh_session='))!.split(';')[0]!;
    return { cookie, csrf: res.json.csrfToken };
  };
  /** A passkey assertion for the next login (either path). */
  async function assertion() {
    const start = await httpsRequest(server, 'POST', '/v1/sessions/webauthn/options');
    assert.equal(start.status, 200, start.text);
    return { challengeId: start.json.challengeId as string, response: await lab.get(start.json.options) };
  }
  const passwordLogin = async (username: string, extra: Record<string, unknown> = {}) =>
    browserFrom(await httpsRequest(server, 'POST', '/v1/sessions', { body: { username, password: passwordFor(username), ...extra } }));
  async function basicToken(username: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await httpsRequest(server, 'POST', '/v1/tokens', { headers: { authorization: basicAuth(username, passwordFor(username)) }, body: { name: 'other', ...extra } });
    assert.equal(res.status, 201, res.text);
    return res.json.token;
  }
  /** Status of GET /v1/users/me with a session or a bearer token. */
  const me = async (credential: Browser | string) =>
    (typeof credential === 'string' ? await viaBearer(credential, 'GET', '/v1/users/me') : await viaCookie(credential, 'GET', '/v1/users/me')).status;

  before(async () => {
    server = await startTestServer({ listen: true });
    lab = await VirtualAuthenticatorLab.open(server.url.replace('127.0.0.1', 'localhost'));
  });
  // One authenticator per test, so that a discoverable-credential login picks that test's user.
  beforeEach(async () => {
    authenticator = await lab.addAuthenticator();
  });
  afterEach(async () => {
    if (authenticator) await lab.removeAuthenticator(authenticator);
    authenticator = undefined;
  });
  after(async () => {
    await lab?.close();
    await server.close();
  });

  it('adding a passkey ends the other sessions and tokens; the token that added it stays', async () => {
    const { token: adder } = await userWithToken(server, 'grace');
    const otherToken = await basicToken('grace');
    const otherSession = await passwordLogin('grace');
    assert.deepEqual([await me(adder), await me(otherToken), await me(otherSession)], [200, 200, 200]);

    const start = await viaBearer(adder, 'POST', '/v1/users/me/mfa/webauthn/options');
    assert.equal(start.status, 200, start.text);
    const added = await viaBearer(adder, 'POST', '/v1/users/me/mfa/webauthn', { challengeId: start.json.challengeId, response: await lab.create(start.json.options), name: 'key' });
    assert.equal(added.status, 201, added.text);

    assert.equal(await me(adder), 200, 'the token that added the passkey stays');
    assert.equal(await me(otherToken), 401);
    assert.equal(await me(otherSession), 401);
  });

  it('removing a passkey ends the other sessions and tokens; the session that removed it stays', async () => {
    const { token: enroller } = await userWithToken(server, 'heidi');
    const start = await viaBearer(enroller, 'POST', '/v1/users/me/mfa/webauthn/options');
    const added = await viaBearer(enroller, 'POST', '/v1/users/me/mfa/webauthn', { challengeId: start.json.challengeId, response: await lab.create(start.json.options), name: 'key' });
    assert.equal(added.status, 201, added.text);

    // With the passkey as second factor: two browser sessions and a token.
    const here = await passwordLogin('heidi', { passkey: await assertion() });
    const elsewhere = browserFrom(await httpsRequest(server, 'POST', '/v1/sessions/webauthn', { body: await assertion() }));
    const otherToken = await basicToken('heidi', { passkey: await assertion() });
    assert.deepEqual([await me(here), await me(elsewhere), await me(otherToken)], [200, 200, 200]);

    const removed = await viaCookie(here, 'DELETE', `/v1/users/me/mfa/webauthn/${encodeURIComponent(added.json.id)}`);
    assert.equal(removed.status, 204, removed.text);

    assert.equal(await me(here), 200, 'the session that removed the passkey stays');
    assert.equal(await me(elsewhere), 401);
    assert.equal(await me(otherToken), 401);
    assert.equal(await me(enroller), 401);
  });
});
