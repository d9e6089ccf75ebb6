// Attack: drain a shared budget with refused requests. The address, range and global layers
// are charged before authentication, the user's own layers (rate, plan quotas) after it. If a
// refusal at the later step kept the earlier charge, a user past their own plan could keep
// sending requests that are all refused (429), yet each would still use up the budget of the
// address they share with others (a NAT, an office, a proxy): every other user behind that
// address would be locked out by someone who is not even being served (Tyk's "rejected
// requests count" failure, across stages). Gatehouse refunds the earlier charge
// (RateLimitStore.refund). Proved through the real HTTPS listener, with the in-process store
// (fake clock: exact counts) and with Redis (GATEHOUSE_REDIS_URL, as in production; Redis's
// own clock runs, so there the budget is "at least what is left", never less).
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { MemoryLoginFailureStore } from '../../../src/accounts/login/LoginFailureStore.ts';
import type { Config } from '../../../src/config/schema.ts';
import { basicAuth, passwordFor, userWithToken } from '../../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The address layer: 5/s, bursts of 10. */
const ADDRESS_BURST = 10;

interface Reply { status: number; code?: string; retryAfter?: string; policy?: string }

/** GET over a real TLS connection from `localAddress` (any of 127.0.0.0/8 on Linux). */
function getFrom(server: TestServer, localAddress: string, path: string, token: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, server.url), {
      headers: { authorization: `Bearer ${token}` }, ca: server.ca, servername: 'localhost', agent: false, localAddress,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({
        status: res.statusCode ?? 0,
        code: (JSON.parse(body || '{}') as { code?: string }).code,
        retryAfter: res.headers['retry-after'],
        policy: res.headers['ratelimit-policy'] as string | undefined,
      }));
    });
    req.on('error', reject).end();
  });
}

function assertLimitedBy(res: Reply, policy: string): void {
  assert.equal(res.status, 429);
  assert.equal(res.code, 'rate_limited');
  assert.match(String(res.retryAfter), /^[1-9]\d*$/);
  assert.match(String(res.policy), new RegExp(`^"${policy}";`));
}

for (const backend of ['memory', 'redis'] as const) {
  describe(`a user past their plan does not drain the address budget (${backend} store)`, () => {
    // Fresh names and a fresh loopback address per run: Redis state outlives the process and
    // is shared with parallel runs.
    const suffix = randomBytes(4).toString('hex');
    const [alice, bob] = [`alice${suffix}`, `bob${suffix}`];
    const address = `127.${randomInt(1, 255)}.${randomInt(256)}.${randomInt(1, 255)}`;
    const tokens: Record<string, string> = {};
    let server: TestServer;
    const me = (who: string) => getFrom(server, address, '/v1/users/me', tokens[who]!);

    before(async () => {
      const clock = fakeClock();
      server = await startTestServer({
        clock,
        listen: true,
        config: {
          ...(backend === 'redis' ? { redisUrl: REDIS_URL } : {}),
          rateLimit: { addressPerSecond: ADDRESS_BURST / 2 } as Config['rateLimit'],
          rateLayers: {
            plans: { standard: { perMinute: 10_000_000, perDay: 10_000_000 }, tiny: { perMinute: 2, perDay: 1000 } },
            userPlans: { [alice]: 'tiny' },
          } as unknown as Config['rateLayers'],
        },
        // Only the limiter is under test; failed-login counts stay in process.
        loginFailureStore: new MemoryLoginFailureStore(),
      });
      for (const who of [alice, bob]) tokens[who] = (await userWithToken(server.app.fastify, who)).token;
      clock.advance(10 * 60_000); // in process: every bucket full again
    });
    after(() => server.close());

    it('alice gets 429s from her plan while bob, from the same address, keeps the rest of the address budget', async () => {
      let served = 0;
      let reply = await me(alice);
      while (reply.status === 200 && served < 5) {
        served++;
        reply = await me(alice);
      }
      assertLimitedBy(reply, 'tiny-minute');
      assert.ok(served >= 1, 'alice had quota left');
      if (backend === 'memory') assert.equal(served, 2, 'her whole plan minute, after the clock moved on');
      for (let i = 0; i < 3 * ADDRESS_BURST; i++) assertLimitedBy(await me(alice), 'tiny-minute');

      // Alice's 1 + 3 × burst refused requests must have taken nothing from the address.
      const left = ADDRESS_BURST - served;
      const bobs: number[] = [];
      for (let i = 0; i < left; i++) bobs.push((await me(bob)).status);
      assert.deepEqual(bobs, Array(left).fill(200), `bob is served ${left} times: only alice's served requests used the address budget`);
      if (backend === 'memory') assertLimitedBy(await me(bob), 'address');
    });
  });
}

/** POST /v1/tokens with HTTP Basic (a password hash per request) over a real TLS connection from `localAddress`. */
function tokenWithBasic(server: TestServer, localAddress: string, username: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ name: 'flood' });
    const req = https.request(new URL('/v1/tokens', server.url), {
      method: 'POST',
      headers: { authorization: basicAuth(username, passwordFor(username)), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      ca: server.ca, servername: 'localhost', agent: false, localAddress,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({
        status: res.statusCode ?? 0,
        code: (JSON.parse(text || '{}') as { code?: string }).code,
        retryAfter: res.headers['retry-after'],
        policy: res.headers['ratelimit-policy'] as string | undefined,
      }));
    });
    req.on('error', reject).end(body);
  });
}

describe('a user past their plan who keeps sending their password still pays the address layer', () => {
  let server: TestServer;
  const address = `127.${randomInt(1, 255)}.${randomInt(256)}.${randomInt(1, 255)}`;
  before(async () => {
    const clock = fakeClock();
    server = await startTestServer({
      clock,
      listen: true,
      config: {
        rateLimit: { addressPerSecond: ADDRESS_BURST / 2 } as Config['rateLimit'],
        rateLayers: { passwordRouteCost: 1, plans: { standard: { perMinute: 10_000_000, perDay: 10_000_000 }, tiny: { perMinute: 2, perDay: 1000 } }, userPlans: { carol: 'tiny' } } as unknown as Config['rateLayers'],
      },
      loginFailureStore: new MemoryLoginFailureStore(),
    });
    await userWithToken(server.app.fastify, 'carol');
    clock.advance(10 * 60_000);
  });
  after(() => server.close());

  it('Basic requests refused by the plan keep their address charge, so the address layer refuses before the next password hash', async () => {
    const replies: Reply[] = [];
    for (let i = 0; i < 2 * ADDRESS_BURST; i++) replies.push(await tokenWithBasic(server, address, 'carol'));
    assert.deepEqual(replies.slice(0, 2).map((r) => r.status), [201, 201], 'her plan minute');
    assertLimitedBy(replies[2]!, 'tiny-minute');
    // Each of her requests was charged on the address (no refund after a password check): the
    // burst runs out and the address layer, which runs before authentication, takes over.
    assert.equal(replies.filter((r) => r.status === 201 || r.policy?.startsWith('"tiny-minute"')).length, ADDRESS_BURST);
    for (const r of replies.slice(ADDRESS_BURST)) assertLimitedBy(r, 'address');
  });
});
