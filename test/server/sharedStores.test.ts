// With GATEHOUSE_REDIS_URL an instance opens ONE Redis connection, and every shared store
// (rate limits, failed-login counters, used TOTP steps) goes over it; closing the server
// closes it. Redis's own CLIENT LIST is the witness: the instance's connection carries the
// name redisConnectionName() gives this process. Requires the Redis every test machine runs
// (GATEHOUSE_TEST_REDIS_URL, default 127.0.0.1:6379): unreachable fails, never skips.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { addressRange } from '../../src/accounts/login/addressRange.ts';
import type { Config } from '../../src/config/schema.ts';
import { redisConnectionName } from '../../src/store/redisClient.ts';
import { basicAuth, call, passwordFor } from '../helpers/api.ts';
import { startTestServer } from '../helpers/testServer.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Counts failures for a minute, so the key is still there when the test looks. */
const RULE = { freeFailures: 1000, maxDelaySeconds: 1, forgetAfterSeconds: 60 };

describe('shared stores on Redis', () => {
  // The observer: a plain client, not named like the server's.
  const observer = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  after(() => observer.disconnect());

  /** This process's connections named as a Gatehouse instance's, once the count settles at `expected`. */
  async function instanceConnections(expected: number): Promise<number> {
    let count = -1;
    for (let i = 0; i < 20 && count !== expected; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50)); // a closed connection leaves the list a moment later
      const list = String(await observer.client('LIST'));
      count = list.split('\n').filter((line) => line.includes(` name=${redisConnectionName()} `)).length;
    }
    return count;
  }

  it('one connection per instance carries the limiter and the failed-login counters; close closes it', async () => {
    await observer.connect();
    assert.equal(await instanceConnections(0), 0, 'no server of this process is open yet');
    // Plan `basic`: its daily quota (10,000) keeps a charged key for 8.6 s, long enough to look.
    const server = await startTestServer({ config: { redisUrl: REDIS_URL, rateLayers: { defaultPlan: 'basic' } as Config['rateLayers'] }, loginThrottle: { account: RULE, device: RULE, address: RULE, range: RULE } });
    const name = `gina${crypto.randomBytes(3).toString('hex')}`;
    const address = `10.${crypto.randomInt(256)}.${crypto.randomInt(256)}.${crypto.randomInt(1, 255)}`;
    try {
      assert.equal((await call(server.app.fastify, 'POST', '/v1/users', { body: { username: name, password: passwordFor(name) } })).status, 201);
      const tok = await call(server.app.fastify, 'POST', '/v1/tokens', { headers: { authorization: basicAuth(name, passwordFor(name)) }, body: { name: 't' } });
      assert.equal(tok.status, 201);
      // From an address of its own, so the address and range counters are this test's alone.
      const wrong = await server.app.fastify.inject({ method: 'POST', url: '/v1/sessions', remoteAddress: address, payload: { username: name, password: 'not the password at all' } });
      assert.equal(wrong.statusCode, 401);
      // Both stores wrote to Redis (the user's quota, the failed login)…
      assert.ok(await observer.exists(`gatehouse:rl:pd:${name}`), 'the limiter keeps the user\'s quota in Redis');
      assert.ok(await observer.exists(`gh:login:account:${name}`), 'the failed login is counted in Redis');
      // …over the one connection this instance holds.
      assert.equal(await instanceConnections(1), 1);
      assert.equal((await call(server.app.fastify, 'GET', '/readyz')).status, 200);
    } finally {
      await server.close();
      await observer.del(
        `gatehouse:rl:p:${name}`, `gatehouse:rl:pm:${name}`, `gatehouse:rl:pd:${name}`,
        `gh:login:account:${name}`, `gh:login:address:${address}`, `gh:login:range:${addressRange(address)}`,
      );
    }
    assert.equal(await instanceConnections(0), 0, 'closing the server closed its connection');
  });
});
