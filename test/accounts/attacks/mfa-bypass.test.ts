// Attack: second-factor bypass through another door. With the victim's password only, the
// attacker avoids the login form that asks for the code and uses HTTP Basic on the token
// endpoint, hoping that path forgets MFA; or guesses the 6-digit code many times. No token or
// session may ever be issued without the second factor, and code guesses are throttled.
// Every request goes over the real HTTPS listener.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LOGIN_THROTTLE } from '../../../src/accounts/login/throttlePolicy.ts';
import { basicAuth, call, passwordFor, userWithToken } from '../../helpers/api.ts';
import { enableTotp } from '../../helpers/mfa.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('attack: second-factor bypass', () => {
  const clock = fakeClock();
  let server: TestServer;
  const basic = { authorization: basicAuth('victim', passwordFor('victim')) };

  before(async () => {
    server = await startTestServer({ listen: true, clock, loginThrottle: DEFAULT_LOGIN_THROTTLE });
    const victim = await userWithToken(server, 'victim');
    await enableTotp(server, victim.token, clock);
  });
  after(() => server.close());

  it('HTTP Basic with the password alone issues no token, whatever the body says', async () => {
    for (const body of [{ name: 'x' }, { name: 'x', otp: '' }, { name: 'x', otp: null }, { name: 'x', secondFactor: true }]) {
      const res = await call(server, 'POST', '/v1/tokens', { headers: basic, body });
      assert.ok(res.status === 401 || res.status === 400, `${JSON.stringify(body)} → ${res.status}`);
      assert.equal(res.json.token, undefined);
    }
    const tokens = await server.database.db.selectFrom('api_tokens').select('id').execute();
    assert.equal(tokens.length, 1, 'only the token issued before MFA was turned on');
  });

  it('guessing codes is throttled like guessing passwords', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await call(server, 'POST', '/v1/sessions', { body: { username: 'victim', password: passwordFor('victim'), otp: String(100000 + i) } });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(statuses.slice(5).every((s) => s === 429), statuses.join(','));
  });
});
