import os from 'node:os';
import { Redis } from 'ioredis';

/**
 * The name an instance's connection carries in Redis (`CLIENT LIST`): host and process, so
 * an operator (and test/scale/cluster.test.ts) can see that each instance holds one.
 */
export function redisConnectionName(pid = process.pid, host = os.hostname()): string {
  return `gatehouse:${host}:${pid}`;
}

/**
 * A Redis connection for the shared-state stores (GATEHOUSE_REDIS_URL). Tuned to fail fast:
 * when Redis is down a command is rejected at once (no offline queue, one retry), so the
 * caller's fail-closed path runs within about a second instead of requests piling up behind
 * a reconnect loop. ioredis keeps reconnecting in the background.
 */
export function createRedisClient(url: string): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 1000,
    lazyConnect: false,
    connectionName: redisConnectionName(),
  });
  // Without a listener an 'error' event would crash the process; callers see errors per command.
  client.on('error', () => {});
  return client;
}
