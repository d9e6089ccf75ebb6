// The limiter on Redis through the real pipeline: two server instances sharing one Redis
// enforce one limit together under parallel load (KrakenD's per-node-only limits are the
// failure this prevents); when Redis is unreachable the configured fallback applies and is
// counted in a metric: 'local' keeps limiting with in-process state, 'deny' answers 503
// overloaded with Retry-After. Never "no limit". Logins, whose failed-attempt counters live on
// the same Redis connection (src/server/sharedStores.ts), fail closed: 503, never unthrottled.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { MemoryLoginFailureStore } from '../../../src/accounts/login/LoginFailureStore.ts';
import type { Config } from '../../../src/config/schema.ts';
import { adminWithToken, basicAuth, call, passwordFor } from '../../helpers/api.ts';
import { startTestServer } from '../../helpers/testServer.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const UNREACHABLE = 'redis://127.0.0.1:1';

describe('rate limits shared through Redis', () => {
  it('two instances, 200 parallel requests from one address: at most the burst (plus what time refills) is served', async () => {
    const config = { redisUrl: REDIS_URL, rateLimit: { addressPerSecond: 1 } as Config['rateLimit'] };
    const [a, b] = await Promise.all([startTestServer({ config }), startTestServer({ config })]);
    try {
      // A fresh address per run: Redis state outlives the test process.
      const remoteAddress = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
      const started = Date.now();
      const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? a : b).app.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress }).then((r) => r.statusCode)));
      const elapsedSeconds = (Date.now() - started) / 1000;
      const served = statuses.filter((s) => s === 200).length;
      assert.deepEqual([...new Set(statuses)].sort(), [200, 429]);
      assert.ok(served >= 2, 'the burst of 2 is served');
      assert.ok(served <= 2 + Math.floor(elapsedSeconds * 1), `served ${served} in ${elapsedSeconds} s: the two instances share one limit`);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('Redis unreachable', () => {
  it("'local' (the default): still limited, per instance, and counted in gatehouse_ratelimit_store_failures_total", async () => {
    // The admin who reads /metrics must log in, and logins fail closed without Redis (below):
    // here only the failed-login counts stay in process.
    const server = await startTestServer({ config: { redisUrl: UNREACHABLE, rateLimit: { addressPerSecond: 0.01 } as Config['rateLimit'] }, loginFailureStore: new MemoryLoginFailureStore() });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await server.app.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.1.1.1' })).statusCode);
      assert.deepEqual(statuses, [200, 429, 429, 429], 'burst of 1, then limited by local state');
      const { token } = await adminWithToken(server.app.fastify, server.app.accounts);
      const metrics = await server.app.fastify.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.3.3.3', headers: { authorization: `Bearer ${token}` } });
      assert.equal(metrics.statusCode, 200);
      const failures = Number(/^gatehouse_ratelimit_store_failures_total (\d+)/m.exec(metrics.body)?.[1]);
      assert.ok(failures >= 4, `failures counted: ${failures}`);
    } finally {
      await server.close();
    }
  });

  it('logins fail closed: 503 overloaded with Retry-After, for known and unknown accounts alike, on the record; /readyz 503', async () => {
    const server = await startTestServer({ config: { redisUrl: UNREACHABLE } });
    try {
      assert.equal((await call(server.app.fastify, 'POST', '/v1/users', { body: { username: 'frank', password: passwordFor('frank') } })).status, 201);
      for (const username of ['frank', 'nobody']) {
        const session = await call(server.app.fastify, 'POST', '/v1/sessions', { body: { username, password: passwordFor('frank') } });
        const token = await call(server.app.fastify, 'POST', '/v1/tokens', { headers: { authorization: basicAuth(username, passwordFor('frank')) }, body: { name: 't' } });
        for (const res of [session, token]) {
          assert.equal(res.status, 503, `${username}: a login that cannot be counted is refused`);
          assert.equal(res.json.code, 'overloaded');
          assert.equal(res.headers['retry-after'], '1');
        }
      }
      // The audit log says why (the client is not told).
      const last = await call(server.app.fastify, 'POST', '/v1/sessions', { body: { username: 'frank', password: passwordFor('frank') } });
      await server.app.auditLog.flush();
      const outcome = await server.database.db.selectFrom('audit_log').select(['status', 'reason']).where('request_id', '=', String(last.headers['x-request-id'])).where('phase', '=', 'outcome').executeTakeFirstOrThrow();
      assert.equal(outcome.status, 503);
      assert.match(outcome.reason, /login-failure store unavailable/);
      assert.equal((await call(server.app.fastify, 'GET', '/readyz')).status, 503, 'and the instance reports itself not ready');
    } finally {
      await server.close();
    }
  });

  it("'deny': 503 overloaded with Retry-After", async () => {
    const server = await startTestServer({ config: { redisUrl: UNREACHABLE, rateLayers: { onStoreFailure: 'deny' } as Config['rateLayers'] } });
    try {
      const res = await call(server.app.fastify, 'GET', '/healthz');
      assert.equal(res.status, 503);
      assert.equal(res.json.code, 'overloaded');
      assert.equal(res.headers['retry-after'], '1');
    } finally {
      await server.close();
    }
  });
});
