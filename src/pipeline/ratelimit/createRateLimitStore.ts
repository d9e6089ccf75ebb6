import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/schema.ts';
import { FallbackRateLimitStore } from './FallbackRateLimitStore.ts';
import { MemoryRateLimitStore } from './MemoryRateLimitStore.ts';
import type { RateLimitStore } from './RateLimitStore.ts';
import { RedisRateLimitStore } from './RedisRateLimitStore.ts';

/** One warning per this interval at most: a Redis outage under load must not flood the log. */
const WARN_INTERVAL_MS = 10_000;

/**
 * The limiter's store: in process without Redis; with the instance's Redis connection
 * (GATEHOUSE_REDIS_URL; the caller owns it and closes it), Redis shared by every instance,
 * with the failure handling GATEHOUSE_RATE_ON_STORE_FAILURE names (logged as a rate-limited
 * warning and counted in a metric).
 */
export function createRateLimitStore(
  config: Readonly<Config>,
  redis: Redis | undefined,
  log: FastifyBaseLogger,
  countFailure: () => void,
): RateLimitStore {
  const local = new MemoryRateLimitStore(config.rateLimit.maxTrackedKeys);
  if (!redis) return local;
  let lastWarning = -Infinity;
  const mode = config.rateLayers.onStoreFailure;
  return new FallbackRateLimitStore(new RedisRateLimitStore(redis), local, {
    mode,
    onFailure(err) {
      countFailure();
      const now = Date.now();
      if (now - lastWarning < WARN_INTERVAL_MS) return;
      lastWarning = now;
      log.warn({ err: String(err), fallback: mode }, mode === 'local'
        ? 'rate-limit store (Redis) failed: limiting with this instance\'s own state until it is back'
        : 'rate-limit store (Redis) failed: refusing requests with 503 until it is back');
    },
  });
}
