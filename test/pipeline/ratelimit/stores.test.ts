// Both RateLimitStore adapters run the same contract suite (storeContract.ts). Redis is
// required: it runs on every developer and CI machine (127.0.0.1:6379, .ci/run starts it),
// so an unreachable Redis FAILS this file instead of skipping it. Redis-specific: keys
// expire exactly when their bucket is full again (bounded memory, no early burst). The
// fallback wrapper the server puts around Redis runs the contract too, and its refund never
// throws when the shared store fails (a refused request must stay a 429, not become a 503).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { FallbackRateLimitStore } from '../../../src/pipeline/ratelimit/FallbackRateLimitStore.ts';
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
const failLoudly = { mode: 'local' as const, onFailure: (err: unknown) => { throw err; } };
rateLimitStoreContract('redis behind the fallback', () => redisStores.map((s) => new FallbackRateLimitStore(s, new MemoryRateLimitStore(), failLoudly)));

describe('FallbackRateLimitStore refund when the shared store fails', () => {
  const broken = { consume: () => Promise.reject(new Error('down')), consumeAll: () => Promise.reject(new Error('down')), refund: () => Promise.reject(new Error('down')) };
  const policy = { name: 'p', ratePerSecond: 0.001, burst: 1 };

  it("'local': refunds the local charge, reports the failure, never throws", async () => {
    const failures: unknown[] = [];
    const store = new FallbackRateLimitStore(broken, new MemoryRateLimitStore(), { mode: 'local', onFailure: (e) => failures.push(e) });
    const charges = [{ key: 'k', policy }];
    assert.equal((await store.consumeAll(charges, 1000)).allowed, true);
    await store.refund(charges, 1000);
    assert.equal((await store.consumeAll(charges, 1000)).allowed, true, 'the local cell is back');
    assert.equal((await store.consumeAll(charges, 1000)).allowed, false);
    assert.equal(failures.length, 4);
  });

  it("'deny': nothing to refund and nothing thrown", async () => {
    const failures: unknown[] = [];
    const store = new FallbackRateLimitStore(broken, new MemoryRateLimitStore(), { mode: 'deny', onFailure: (e) => failures.push(e) });
    await store.refund([{ key: 'k', policy }], 1000);
    assert.equal(failures.length, 1);
  });
});

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

  it("a refund shortens the key's life with its TAT, and removes a key whose bucket is full again", async () => {
    const store = redisStores[0]!;
    const policy = { name: 'p', ratePerSecond: 1, burst: 2 };
    await store.consume('refund-ttl', policy, Date.now());
    await store.consume('refund-ttl', policy, Date.now());
    await store.refund([{ key: 'refund-ttl', policy }], Date.now());
    const ttl = await clients[0]!.pttl(`${prefix}refund-ttl`);
    assert.ok(ttl > 900 && ttl <= 1001, `TTL ${ttl} ms: one interval left`);
    await store.refund([{ key: 'refund-ttl', policy }], Date.now());
    assert.equal(await clients[0]!.exists(`${prefix}refund-ttl`), 0);
  });
});
