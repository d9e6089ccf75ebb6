// Attack: TOTP code replay. An attacker who watches the victim type a code (shoulder surfing,
// a phishing proxy, a key logger) replays it within the same 30 s step or the ±1 step window,
// on the same or another login path, with the victim's stolen password. RFC 6238 §5.2: a code
// that was accepted once must never be accepted again.
// Every request goes over the real HTTPS listener.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, call, passwordFor, userWithToken } from '../../helpers/api.ts';
import { codeNow, enableTotp } from '../../helpers/mfa.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('attack: TOTP replay', () => {
  const clock = fakeClock();
  let server: TestServer;
  let secret: string;
  const login = (otp: string) => call(server, 'POST', '/v1/sessions', { body: { username: 'victim', password: passwordFor('victim'), otp } });

  before(async () => {
    server = await startTestServer({ listen: true, clock });
    const victim = await userWithToken(server, 'victim');
    ({ secret } = await enableTotp(server, victim.token, clock));
    clock.advance(60_000);
  });
  after(() => server.close());

  it('a code used for a login is refused for a second login in the same step', async () => {
    const code = codeNow(secret, clock);
    assert.equal((await login(code)).status, 201);
    const replay = await login(code);
    assert.equal(replay.status, 401);
    assert.equal(replay.json.code, 'mfa_required');
  });

  it('…and in the next step, while it is still inside the ±1 window', async () => {
    clock.advance(60_000);
    const code = codeNow(secret, clock);
    assert.equal((await login(code)).status, 201);
    clock.advance(30_000);
    assert.equal((await login(code)).status, 401);
  });

  it('…and on the other login path (HTTP Basic token issuance)', async () => {
    clock.advance(60_000);
    const code = codeNow(secret, clock);
    assert.equal((await login(code)).status, 201);
    const viaBasic = await call(server, 'POST', '/v1/tokens', {
      headers: { authorization: basicAuth('victim', passwordFor('victim')) }, body: { name: 'stolen', otp: code },
    });
    assert.equal(viaBasic.status, 401);
    assert.equal(viaBasic.json.token, undefined);
  });

  it('two concurrent logins with one fresh code: exactly one succeeds', async () => {
    clock.advance(60_000);
    const code = codeNow(secret, clock);
    const results = await Promise.all([login(code), login(code), login(code)]);
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 401, 401]);
  });
});
