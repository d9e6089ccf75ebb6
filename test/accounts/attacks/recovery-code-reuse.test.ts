// Attack: recovery code reuse. Recovery codes are long-lived bearer secrets printed on paper;
// an attacker who photographs a used one (or finds it in an old backup) tries it again, or
// races the victim with it. Each code must work exactly once, and be stored only as a hash.
// Every request goes over the real HTTPS listener.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, passwordFor, userWithToken } from '../../helpers/api.ts';
import { enableTotp } from '../../helpers/mfa.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('attack: recovery code reuse', () => {
  const clock = fakeClock();
  let server: TestServer;
  let codes: string[];
  const login = (otp: string) => call(server, 'POST', '/v1/sessions', { body: { username: 'victim', password: passwordFor('victim'), otp } });

  before(async () => {
    server = await startTestServer({ listen: true, clock });
    const victim = await userWithToken(server, 'victim');
    ({ recoveryCodes: codes } = await enableTotp(server, victim.token, clock));
  });
  after(() => server.close());

  it('a used recovery code is refused, however it is typed', async () => {
    assert.equal((await login(codes[0]!)).status, 201);
    for (const variant of [codes[0]!, codes[0]!.toLowerCase(), codes[0]!.replace(/-/g, '')]) {
      const again = await login(variant);
      assert.equal(again.status, 401);
      assert.equal(again.json.code, 'mfa_required');
    }
    assert.equal((await login(codes[1]!)).status, 201, 'the other codes still work');
  });

  it('racing one code: exactly one login wins', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => login(codes[2]!)));
    assert.equal(results.filter((r) => r.status === 201).length, 1);
  });

  it('the database holds only hashes of the codes', async () => {
    const rows = await server.database.db.selectFrom('recovery_codes').select('code_hash').execute();
    const stored = JSON.stringify(rows);
    for (const c of codes) assert.ok(!stored.includes(c.replace(/-/g, '')) && !stored.includes(c));
  });
});
