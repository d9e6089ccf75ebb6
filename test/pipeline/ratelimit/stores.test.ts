// Both RateLimitStore adapters run the same contract suite (storeContract.ts). Redis is
// required: it runs on every developer and CI machine (127.0.0.1:6379, .ci/run starts it),
// so an unreachable Redis FAILS this file instead of skipping it. Redis-specific: keys
// expire exactly when their bucket is full again (bounded memory, no early burst).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { MemoryRateLimitStore } from '../../../src/pipeline/ratelimit/MemoryRateLimitStore.ts';
import { RedisRateLimitStore } from '../../../src/pipeline/ratelimit/RedisRateLimitStore.ts';
import { createRedisClient } from '../../../src/store/redisClient.ts';
import { rateLimitStoreContract } from './storeContract.ts';

export const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const memory = new MemoryRateLimitStore();
rateLimitStoreContract('memory', () => [memory]);

const prefix = `gatehouse-test:${randomUUID()}:`;
let clients: Redis[] = [];
let redisStores: RedisRateLimitStore[] = [];
before(async () => {
  // Two connections: two server instances sharing one Redis.
  clients = [createRedisClient(REDIS_URL), createRedisClient(REDIS_URL)];
  await Promise.all(clients.map((c) => new Promise<void>((resolve, reject) => {
    if (c.status === 'ready') return resolve();
    c.once('ready', resolve);
    setTimeout(() => reject(new Error(`Redis at ${REDIS_URL} is unreachable; start it (see .ci/run)`)), 3000).unref();
  })));
  redisStores = clients.map((c) => new RedisRateLimitStore(c, prefix));
});
after(async () => {
  const keys = await clients[0]!.keys(`${prefix}*`);
  if (keys.length > 0) await clients[0]!.del(...keys);
  await Promise.all(clients.map((c) => c.quit()));
});
rateLimitStoreContract('redis (two instances)', () => redisStores);

describe('RedisRateLimitStore memory bound', () => {
  it('a key lives only until its bucket is full again, and a refused request does not extend it', async () => {
    const store = redisStores[0]!;
    const policy = { name: 'p', ratePerSecond: 1, burst: 2 };
    await store.consume('ttl', policy, Date.now());
    await store.consume('ttl', policy, Date.now());
    const ttl = await clients[0]!.pttl(`${prefix}ttl`);
    assert.ok(ttl > 1900 && ttl <= 2001, `TTL ${ttl} ms: two intervals, when the burst is back`);
    assert.equal((await store.consume('ttl', policy, Date.now())).allowed, false);
    assert.ok((await clients[0]!.pttl(`${prefix}ttl`)) <= ttl);
  });
});
