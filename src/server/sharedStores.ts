import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.ts';
import { MemoryLoginFailureStore, type LoginFailureStore } from '../accounts/login/LoginFailureStore.ts';
import { RedisLoginFailureStore } from '../accounts/login/RedisLoginFailureStore.ts';
import { RedisUsedOtpStore } from '../accounts/mfa/RedisUsedOtpStore.ts';
import { MemoryUsedOtpStore, type UsedOtpStore } from '../accounts/mfa/UsedOtpStore.ts';
import type { ReadinessCheck } from '../operations/routes.ts';
import { createRateLimitStore } from '../pipeline/ratelimit/createRateLimitStore.ts';
import type { RateLimitStore } from '../pipeline/ratelimit/RateLimitStore.ts';
import { createRedisClient } from '../store/redisClient.ts';

/** How long start waits for a first Redis connection before serving (with the fallbacks). */
const FIRST_CONNECTION_WAIT_MS = 1500;

/** The state several instances must share beyond the database, and the one connection it uses. */
export interface SharedStores {
  readonly rateLimitStore: RateLimitStore;
  readonly usedOtpStore: UsedOtpStore;
  readonly loginFailureStore: LoginFailureStore;
  /** /readyz checks: `redis` when Redis is configured. */
  readonly readinessChecks: readonly ReadinessCheck[];
  /** Resolves once Redis is connected, or after a short wait when it is not reachable. */
  ready(): Promise<void>;
  /** Closes the Redis connection (once; later calls wait for the first). */
  close(): Promise<void>;
}

/**
 * The state several instances must share (README "Running several instances"): rate-limit
 * counters, used TOTP steps and failed-login counters. Without GATEHOUSE_REDIS_URL they live
 * in process (one instance). With it, all three live in Redis over ONE connection per
 * instance: ioredis pipelines the stores' commands on it, and none of them uses pub/sub (the
 * only reason a second, subscriber-mode connection would be needed). Revocation needs nothing
 * here: sessions, tokens and capabilities are looked up in the shared database on every request.
 * When Redis fails, each store keeps its documented answer: the limiter falls back as
 * GATEHOUSE_RATE_ON_STORE_FAILURE says, logins and TOTP checks fail closed (503).
 */
export function openSharedStores(
  config: Readonly<Config>,
  deps: { log: FastifyBaseLogger; countRateLimitFailure: () => void },
): SharedStores {
  const redis = config.redisUrl ? createRedisClient(config.redisUrl) : undefined;
  const rateLimitStore = createRateLimitStore(config, redis, deps.log, deps.countRateLimitFailure);
  if (!redis) {
    return {
      rateLimitStore,
      usedOtpStore: new MemoryUsedOtpStore(),
      loginFailureStore: new MemoryLoginFailureStore(config.rateLimit.maxTrackedKeys),
      readinessChecks: [],
      ready: async () => undefined,
      close: async () => undefined,
    };
  }
  let closing: Promise<void> | undefined;
  return {
    rateLimitStore,
    usedOtpStore: new RedisUsedOtpStore(redis),
    loginFailureStore: new RedisLoginFailureStore(redis),
    readinessChecks: [{ name: 'redis', check: async () => void (await redis.ping()) }],
    ready: () => firstConnection(redis, deps.log),
    close: () => (closing ??= (async () => {
      // QUIT lets pending replies arrive; disconnect also stops reconnecting when Redis is down.
      await redis.quit().catch(() => undefined);
      redis.disconnect();
    })()),
  };
}

/**
 * Waits (up to FIRST_CONNECTION_WAIT_MS) for the first connection, so that a healthy Redis is
 * used from the first request instead of the fallbacks; an unreachable one is not waited for.
 */
function firstConnection(redis: Redis, log: FastifyBaseLogger): Promise<void> {
  return new Promise<void>((resolve) => {
    if (redis.status === 'ready') return resolve();
    const timer = setTimeout(done, FIRST_CONNECTION_WAIT_MS);
    redis.once('ready', done);
    function done() {
      clearTimeout(timer);
      redis.off('ready', done);
      if (redis.status !== 'ready') log.warn('shared-state store (Redis) not reachable at start: rate limits use their fallback, logins and TOTP checks answer 503 until it is');
      resolve();
    }
  });
}
