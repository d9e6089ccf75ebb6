// Attack: cross-site request forgery. A page on another site makes the victim's browser send
// a state-changing request to Gatehouse; the browser attaches the session cookie by itself.
// Defences, each tested over the real HTTPS listener: the X-CSRF-Token bound to the session
// (missing, wrong, or another session's token is 403 csrf_failed), and Sec-Fetch-Site/Origin
// as a second line. Bearer requests are not cookie-borne and need no token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { passwordFor, userWithToken } from '../../helpers/api.ts';
import { httpsRequest, startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('attack: CSRF', () => {
  let server: TestServer;
  let victim: { cookie: string; csrf: string };
  let attacker: { cookie: string; csrf: string };
  let bearer: string;
  const login = async (username: string) => {
    const res = await httpsRequest(server, 'POST', '/v1/sessions', { body: { username, password: passwordFor(username) } });
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-gh_session='))!.split(';')[0]!;
    return { cookie, csrf: res.json.csrfToken as string };
  };
  const forge = (headers: Record<string, string>) =>
    httpsRequest(server, 'POST', '/v1/spaces', { headers: { cookie: victim.cookie, ...headers }, body: { name: 'forged' } });
  const spacesOfVictim = async () => (await httpsRequest(server, 'GET', '/v1/spaces', { headers: { cookie: victim.cookie } })).json.items.length;

  before(async () => {
    server = await startTestServer({ listen: true });
    bearer = (await userWithToken(server.app.fastify, 'victim')).token;
    await userWithToken(server.app.fastify, 'attacker');
    victim = await login('victim');
    attacker = await login('attacker');
  });
  after(() => server.close());

  for (const [name, headers] of [
    ['no token', {}],
    ['a wrong token', { 'x-csrf-token': 'A'.repeat(43) }],
    ['the attacker’s own session’s token', { 'x-csrf-token': '' }],
    ['the right token but Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['the right token but Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['the right token but a foreign Origin', { origin: 'https://evil.example' }],
  ] as const) {
    it(`refuses a cookie-borne write with ${name}: 403 csrf_failed, nothing changed`, async () => {
      const h: Record<string, string> = { ...headers };
      if (name.startsWith('the attacker')) h['x-csrf-token'] = attacker.csrf;
      if (name.startsWith('the right token')) h['x-csrf-token'] = victim.csrf;
      const before = await spacesOfVictim();
      const res = await forge(h);
      assert.equal(res.status, 403);
      assert.equal(res.json.code, 'csrf_failed');
      assert.equal(await spacesOfVictim(), before);
    });
  }

  it('accepts the right token from the same origin, and bearer requests without any token', async () => {
    const ok = await forge({ 'x-csrf-token': victim.csrf, 'sec-fetch-site': 'same-origin', origin: new URL(server.url).origin });
    assert.equal(ok.status, 201);
    const viaBearer = await httpsRequest(server, 'POST', '/v1/spaces', { headers: { authorization: `Bearer ${bearer}` }, body: { name: 'api' } });
    assert.equal(viaBearer.status, 201);
  });
});
