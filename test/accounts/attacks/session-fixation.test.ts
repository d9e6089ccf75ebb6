// Attack: session fixation. The attacker plants a session cookie of their own choosing (or one
// they obtained) in the victim's browser, waits for the victim to log in, then uses the same
// cookie as the now-authenticated victim. The server must issue a fresh, unguessable session
// on every login and never adopt an id the client brings.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { passwordFor, userWithToken } from '../../helpers/api.ts';
import { httpsRequest, startTestServer, type TestServer } from '../../helpers/testServer.ts';

const sessionCookie = (setCookie: string | string[] | undefined) =>
  ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith('__Host-gh_session='))!.split(';')[0]!;

describe('attack: session fixation', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ listen: true });
    await userWithToken(server.app.fastify, 'victim');
    await userWithToken(server.app.fastify, 'attacker');
  });
  after(() => server.close());

  it('a planted made-up cookie is replaced at login and stays worthless', async () => {
    const planted = '__Host-gh_session=planted-id.planted-secret';
    const res = await httpsRequest(server, 'POST', '/v1/sessions', { headers: { cookie: planted }, body: { username: 'victim', password: passwordFor('victim') } });
    assert.equal(res.status, 201);
    assert.notEqual(sessionCookie(res.headers['set-cookie']), planted);
    assert.equal((await httpsRequest(server, 'GET', '/v1/users/me', { headers: { cookie: planted } })).status, 401);
  });

  it('a real session of the attacker planted in the victim’s browser does not become the victim’s', async () => {
    const own = await httpsRequest(server, 'POST', '/v1/sessions', { body: { username: 'attacker', password: passwordFor('attacker') } });
    const planted = sessionCookie(own.headers['set-cookie']);
    const victimLogin = await httpsRequest(server, 'POST', '/v1/sessions', { headers: { cookie: planted }, body: { username: 'victim', password: passwordFor('victim') } });
    const fresh = sessionCookie(victimLogin.headers['set-cookie']);
    assert.notEqual(fresh, planted);
    const asPlanted = await httpsRequest(server, 'GET', '/v1/users/me', { headers: { cookie: planted } });
    assert.equal(asPlanted.json.username, 'attacker', 'the planted cookie is still only the attacker’s own session');
    const asFresh = await httpsRequest(server, 'GET', '/v1/users/me', { headers: { cookie: fresh } });
    assert.equal(asFresh.json.username, 'victim');
  });

  it('every login gets a different session id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await httpsRequest(server, 'POST', '/v1/sessions', { body: { username: 'victim', password: passwordFor('victim') } });
      ids.add(sessionCookie(res.headers['set-cookie']).split('=')[1]!.split('.')[0]!);
    }
    assert.equal(ids.size, 5);
  });
});
