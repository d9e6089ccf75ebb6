// Failed-login limits through the real pipeline, on a fake clock: per account whatever the
// address, per address, per address range; growing Retry-After; successes not counted; the
// real user's trusted device gets through while an attacker holds the account locked. Over the
// real HTTPS listener; each request names its client address in X-Forwarded-For, which the
// server believes from the test client because it trusts 127.0.0.1 as a proxy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LOGIN_THROTTLE } from '../../../src/accounts/login/throttlePolicy.ts';
import { call, keepAliveClient, LOOPBACK_PROXY, passwordFor } from '../../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('failed-login limits', () => {
  const clock = fakeClock();
  let server: TestServer;
  let client: ReturnType<typeof keepAliveClient>;

  const login = async (username: string, password: string, from: string, cookie?: string) => {
    const res = await call(client, 'POST', '/v1/sessions', { from, body: { username, password }, ...(cookie ? { headers: { cookie } } : {}) });
    return { status: res.status, retryAfter: res.headers['retry-after'], json: res.json, setCookie: ([] as string[]).concat(res.headers['set-cookie'] ?? []) };
  };
  const wrong = 'Wrong-password-but-long-enough';

  before(async () => {
    server = await startTestServer({ listen: true, clock, loginThrottle: DEFAULT_LOGIN_THROTTLE, config: LOOPBACK_PROXY });
    client = keepAliveClient(server);
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin']) {
      const reg = await call(client, 'POST', '/v1/users', { body: { username: u, password: passwordFor(u) } });
      assert.equal(reg.status, 201);
    }
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('limits one account whatever address the guesses come from, with growing Retry-After', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login('alice', wrong, `198.51.${i}.1`)).status, 401);
    const locked = await login('alice', wrong, '198.51.100.1');
    assert.equal(locked.status, 429);
    assert.equal(locked.json.code, 'rate_limited');
    assert.equal(locked.retryAfter, '1');
    clock.advance(1000);
    assert.equal((await login('alice', wrong, '198.51.101.1')).status, 401);
    const second = await login('alice', wrong, '198.51.102.1');
    assert.equal(second.retryAfter, '2');
    clock.advance(2000);
    assert.equal((await login('alice', wrong, '198.51.103.1')).status, 401);
    assert.equal((await login('alice', passwordFor('alice'), '198.51.104.1')).retryAfter, '4', 'the right password waits too: no oracle while locked');
  });

  it('does not count successes', async () => {
    for (let i = 0; i < 12; i++) assert.equal((await login('bob', passwordFor('bob'), '192.0.2.10')).status, 201);
  });

  it('the real user’s trusted device gets past an account an attacker keeps locked', async () => {
    const first = await login('carol', passwordFor('carol'), '192.0.2.20');
    const device = first.setCookie.find((c) => c.startsWith('__Host-gh_device='))!;
    assert.match(device, /HttpOnly; Secure; SameSite=Strict/);
    for (let i = 0; i < 5; i++) await login('carol', wrong, `203.0.${i}.66`);
    assert.equal((await login('carol', passwordFor('carol'), '192.0.2.20')).status, 429, 'locked without the device cookie');
    const viaDevice = await login('carol', passwordFor('carol'), '192.0.2.20', device.split(';')[0]);
    assert.equal(viaDevice.status, 201);
    const forged = await login('carol', passwordFor('carol'), '192.0.2.20', '__Host-gh_device=abc.def');
    assert.equal(forged.status, 429);
  });

  it('the lock never exceeds the cap: after 15 minutes the user can try again', async () => {
    const waits: number[] = [];
    for (let i = 0; waits.at(-1) !== 900 && i < 100; i++) {
      const r = await login('dave', wrong, `10.${i}.0.1`);
      if (r.status === 429) {
        waits.push(Number(r.retryAfter));
        clock.advance(Number(r.retryAfter) * 1000);
        assert.equal((await login('dave', wrong, `10.${i}.1.1`)).status, 401);
      }
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]);
    clock.advance(900_000);
    assert.equal((await login('dave', passwordFor('dave'), '10.201.0.1')).status, 201);
  });

  it('limits one address across many accounts, and one /24 across many addresses', async () => {
    clock.advance(4 * 3600_000); // every earlier failure forgotten
    for (let i = 0; i < 20; i++) assert.equal((await login(`ghost${i}`, wrong, '203.0.113.5')).status, 401);
    assert.equal((await login('ghost-next', wrong, '203.0.113.5')).status, 429);
    for (let i = 0; i < 80; i++) assert.equal((await login(`phantom${i}`, wrong, `203.0.113.${100 + (i % 100)}`)).status, 401);
    const rangeLocked = await login('phantom-x', wrong, '203.0.113.250');
    assert.equal(rangeLocked.status, 429, 'the /24 has had 100 failures');
    assert.equal((await login('erin', passwordFor('erin'), '203.0.114.1')).status, 201, 'the next /24 is unaffected');
  });

  it('IPv6 addresses in one /56 share a range budget', async () => {
    clock.advance(4 * 3600_000);
    for (let i = 0; i < 100; i++) await login(`v6user${i}`, wrong, `2001:db8:1:${(i % 200).toString(16)}::${(i % 18) + 1}`);
    assert.equal((await login('v6-more', wrong, '2001:db8:1:ff::99')).status, 429);
    assert.equal((await login('v6-more', wrong, '2001:db8:1:100::99')).status, 401, 'another /56');
  });
});
