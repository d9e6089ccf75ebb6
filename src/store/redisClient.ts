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
 * How long one command may wait for Redis's reply before it fails. Why: a Redis that
 * accepts connections but never answers (paused, or a blackholed network path) otherwise
 * leaves every command, and so every request, waiting forever; failing the command lets the
 * caller's documented fallback run (GATEHOUSE_RATE_ON_STORE_FAILURE, 503 for logins). Well
 * above a healthy round trip (a script of a few GETs and SETs takes well under 1 ms).
 */
export const REDIS_COMMAND_TIMEOUT_MS = 500;

/**
 * A Redis connection for the shared-state stores (GATEHOUSE_REDIS_URL). Tuned to fail fast:
 * when Redis is down a command is rejected at once (no offline queue, one retry), and when it
 * is connected but silent a command fails after `commandTimeoutMs`, so the caller's
 * fail-closed path runs within about a second instead of requests piling up behind a
 * reconnect loop or a stalled server. ioredis keeps reconnecting in the background.
 */
export function createRedisClient(url: string, options: { commandTimeoutMs?: number } = {}): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 1000,
    commandTimeout: options.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS,
    lazyConnect: false,
    connectionName: redisConnectionName(),
  });
  // Without a listener an 'error' event would crash the process; callers see errors per command.
  client.on('error', () => {});
  return client;
}
