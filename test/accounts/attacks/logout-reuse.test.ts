// Attack: reuse after logout. A session cookie copied before the victim logged out (from a
// shared computer, a proxy log, malware) is replayed afterwards. Logout must kill the session
// on the server, not just clear the browser's cookie; the same for "sign out everywhere".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { passwordFor, userWithToken } from '../../helpers/api.ts';
import { httpsRequest, startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('attack: session reuse after logout', () => {
  let server: TestServer;
  const login = async () => {
    const res = await httpsRequest(server, 'POST', '/v1/sessions', { body: { username: 'victim', password: passwordFor('victim') } });
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-gh_session='))!.split(';')[0]!;
    return { cookie, csrf: res.json.csrfToken as string };
  };

  before(async () => {
    server = await startTestServer({ listen: true });
    await userWithToken(server.app.fastify, 'victim');
  });
  after(() => server.close());

  it('a copied cookie is dead after logout, for reads and writes', async () => {
    const s = await login();
    const out = await httpsRequest(server, 'DELETE', '/v1/sessions/current', { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    assert.equal(out.status, 204);
    assert.match(String(out.headers['set-cookie']), /__Host-gh_session=;/);
    assert.equal((await httpsRequest(server, 'GET', '/v1/users/me', { headers: { cookie: s.cookie } })).status, 401);
    const write = await httpsRequest(server, 'POST', '/v1/spaces', { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, body: { name: 'x' } });
    assert.equal(write.status, 401);
  });

  it('copied cookies of every device are dead after sign out everywhere', async () => {
    const a = await login();
    const b = await login();
    assert.equal((await httpsRequest(server, 'DELETE', '/v1/sessions', { headers: { cookie: a.cookie, 'x-csrf-token': a.csrf } })).status, 204);
    for (const s of [a, b]) assert.equal((await httpsRequest(server, 'GET', '/v1/users/me', { headers: { cookie: s.cookie } })).status, 401);
  });
});
