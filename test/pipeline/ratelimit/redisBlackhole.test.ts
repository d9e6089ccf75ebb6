// Attack / failure: a Redis that accepts connections but never answers (paused with
// `CLIENT PAUSE` or SIGSTOP, or a network path that blackholes packets). A refused
// connection fails fast, but a silent one does not: without a command timeout every rate-limit
// decision waits forever, so every request hangs, holding its socket and memory (a denial of
// service caused by the limiter itself). With src/store/redisClient.ts's command timeout the
// documented degraded behaviour applies within a bound instead (README "Several instances",
// GATEHOUSE_RATE_ON_STORE_FAILURE): 'local' limits with this instance's state, 'deny' answers
// 503 overloaded with Retry-After; the failure is logged as a warning and /readyz says 503.
//
// The blackhole is a TCP proxy to the real Redis (127.0.0.1:6379) that can be told to stop
// forwarding: the client's connection is ready first (as in production, where Redis stalls
// after start), then every command meets silence. Bounds below ("answered within 5 s rather
// than hanging") are no timing claims; a hang fails the test instead of stalling the run.
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../../../src/config/schema.ts';
import { createRateLimitStore } from '../../../src/pipeline/ratelimit/createRateLimitStore.ts';
import { createRedisClient } from '../../../src/store/redisClient.ts';
import { httpsRequest, startTestServer, testConfig, type HttpResult } from '../../helpers/testServer.ts';

const REDIS = new URL(process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const BOUND_MS = 5000;

interface Blackhole {
  readonly url: string;
  /** From now on nothing passes, either way; the connections stay open. */
  pause(): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/** A TCP proxy to the real Redis that can turn into a blackhole. */
async function blackholeRedis(): Promise<Blackhole> {
  let paused = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(REDIS.port || 6379), REDIS.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk) => void (paused || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (paused || client.write(chunk)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pause: () => void (paused = true),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** `promise`, or a failure once `ms` have passed: a hang must fail the test, not stall it. */
function within<T>(promise: Promise<T>, what: string, ms = BOUND_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `${what}: no answer within ${ms} ms (hung on a silent Redis)` })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function whenReady(client: Redis): Promise<void> {
  return within(new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve()))), 'first connection to Redis through the proxy');
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  // The proxy goes first: closing its sockets ends whatever still waits on Redis.
  for (const step of cleanup) await step().catch(() => undefined);
  cleanup = [];
});

describe('Redis accepts connections but never answers', { timeout: 60_000 }, () => {
  it("the limiter falls back to local limits within a bound, counts the failure and logs a warning", async () => {
    const hole = await blackholeRedis();
    const client = createRedisClient(hole.url);
    cleanup.push(() => hole.close(), async () => client.disconnect());
    await whenReady(client);
    const warnings: unknown[][] = [];
    const log = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as FastifyBaseLogger;
    let failures = 0;
    const config = testConfig({ rateLimit: { addressPerSecond: 0.001 } as Config['rateLimit'] });
    const store = createRateLimitStore(config, client, log, () => failures++);
    const policy = { name: 'address', ratePerSecond: 0.001, burst: 1 };

    hole.pause();
    const first = await within(store.consumeAll([{ key: 'a:10.9.9.9', policy }], Date.now()), 'first decision');
    const second = await within(store.consumeAll([{ key: 'a:10.9.9.9', policy }], Date.now()), 'second decision');
    assert.deepEqual([first.allowed, second.allowed], [true, false], 'still limited, with local state');
    assert.equal(failures, 2);
    assert.equal(warnings.length, 1, 'one warning (rate-limited), not one per request');
    assert.match(String(warnings[0]![1]), /rate-limit store \(Redis\) failed: limiting with this instance's own state/);
    assert.match(String((warnings[0]![0] as { err: string }).err), /timed out/i);
  });

  for (const mode of ['local', 'deny'] as const) {
    it(`through the HTTPS server, '${mode}': requests are answered (${mode === 'local' ? '200' : '503 + Retry-After'}) instead of hanging${mode === 'local' ? '; /readyz 503' : ''}`, async () => {
      const hole = await blackholeRedis();
      const server = await startTestServer({ listen: true, config: { redisUrl: hole.url, rateLayers: { onStoreFailure: mode } as Config['rateLayers'] } });
      cleanup.push(() => hole.close(), () => server.close());
      // Healthy first: the shared store answers.
      assert.equal((await within(httpsRequest(server, 'GET', '/readyz'), 'readyz before the pause')).status, 200);

      hole.pause();
      const results: HttpResult[] = [];
      for (let i = 0; i < 3; i++) results.push(await within(httpsRequest(server, 'GET', '/healthz'), `request ${i + 1} after the pause`));
      if (mode === 'local') {
        assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
      } else {
        for (const r of results) {
          assert.equal(r.status, 503);
          assert.equal(r.json.code, 'overloaded');
          assert.equal(r.headers['retry-after'], '1');
        }
      }
      if (mode === 'local') assert.equal((await within(httpsRequest(server, 'GET', '/readyz'), 'readyz after the pause')).status, 503, 'not ready while Redis is silent');
    });
  }
});
