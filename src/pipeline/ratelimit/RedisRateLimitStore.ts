import type { Redis } from 'ioredis';
import { intervalMicros, type LimitDecision, type LimitPolicy } from './gcra.ts';
import type { LayeredDecision, LimitCharge, RateLimitStore } from './RateLimitStore.ts';

/**
 * GCRA over every layer in ONE Lua script, so each decision is atomic on the Redis server
 * (no read-then-write race between instances: Kong's failure) and uses Redis's own clock
 * (TIME), so instances with skewed clocks agree. Same arithmetic as gcra.ts: integer
 * microseconds, all layers decided before any is written, refused requests write nothing.
 * Each key expires when its bucket would be full again, so Redis memory is bounded by the
 * keys still being limited, and expiry never hands back a burst early (Envoy Gateway's
 * failure). This relies on Redis not evicting keys before their TTL: run it with
 * `maxmemory-policy noeviction` (or enough memory). Multi-key scripts need one node or
 * Sentinel, not Cluster.
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tats = {}
local bestLayer, bestRemaining, bestReset = -1, -1, 0
for i = 1, #KEYS do
  local interval = tonumber(ARGV[i * 3 - 2])
  local capacity = tonumber(ARGV[i * 3 - 1]) * interval
  local cost = tonumber(ARGV[i * 3])
  local stored = redis.call('GET', KEYS[i])
  local start = now
  if stored then start = math.max(tonumber(stored), now) end
  local nextTat = start + interval * cost
  local backlog = nextTat - now
  if backlog > capacity then
    return {0, i - 1, 0, backlog - capacity, start - now}
  end
  tats[i] = nextTat
  local remaining = math.floor((capacity - backlog) / interval)
  if bestRemaining < 0 or remaining < bestRemaining then
    bestLayer, bestRemaining, bestReset = i - 1, remaining, backlog
  end
end
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], string.format('%d', tats[i]), 'PX', math.floor((tats[i] - now) / 1000) + 1)
end
return {1, bestLayer, bestRemaining, 0, bestReset}
`;

/**
 * The refund (RateLimitStore.refund), also one script on Redis's clock: each key's TAT moves
 * back by its cost, never before now; a key already gone (its bucket full) is left alone, and
 * one whose bucket becomes full is deleted. The TTL shrinks with the TAT, as in SCRIPT.
 */
const REFUND_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i = 1, #KEYS do
  local stored = redis.call('GET', KEYS[i])
  if stored then
    local tat = math.max(tonumber(stored) - tonumber(ARGV[i * 2 - 1]) * tonumber(ARGV[i * 2]), now)
    if tat <= now then
      redis.call('DEL', KEYS[i])
    else
      redis.call('SET', KEYS[i], string.format('%d', tat), 'PX', math.floor((tat - now) / 1000) + 1)
    end
  end
end
return 1
`;

type ScriptClient = Redis & {
  gatehouseRateLimit(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  gatehouseRateRefund(numKeys: number, ...args: (string | number)[]): Promise<number>;
};

export class RedisRateLimitStore implements RateLimitStore {
  private readonly client: ScriptClient;

  /** `prefix` separates deployments (and test runs) sharing one Redis. */
  constructor(client: Redis, private readonly prefix = 'gatehouse:rl:') {
    if (!('gatehouseRateLimit' in client)) client.defineCommand('gatehouseRateLimit', { lua: SCRIPT });
    if (!('gatehouseRateRefund' in client)) client.defineCommand('gatehouseRateRefund', { lua: REFUND_SCRIPT });
    this.client = client as ScriptClient;
  }

  async consume(key: string, policy: LimitPolicy, nowMs: number): Promise<LimitDecision> {
    return (await this.consumeAll([{ key, policy }], nowMs)).decision;
  }

  /** `nowMs` is ignored: Redis's TIME is the one clock every instance shares. */
  async consumeAll(charges: readonly LimitCharge[], _nowMs: number): Promise<LayeredDecision> {
    if (charges.length === 0) return { allowed: true, layer: -1, decision: { allowed: true, remaining: 0, retryAfterMs: 0, resetMs: 0 } };
    const args: (string | number)[] = charges.map((c) => this.prefix + c.key);
    for (const c of charges) args.push(intervalMicros(c.policy.ratePerSecond), c.policy.burst, c.cost ?? 1);
    const [allowed, layer, remaining, retryMicros, resetMicros] = await this.client.gatehouseRateLimit(charges.length, ...args);
    return {
      allowed: allowed === 1,
      layer: layer!,
      decision: { allowed: allowed === 1, remaining: remaining!, retryAfterMs: retryMicros! / 1000, resetMs: resetMicros! / 1000 },
    };
  }

  /** `nowMs` is ignored, as in consumeAll. */
  async refund(charges: readonly LimitCharge[], _nowMs: number): Promise<void> {
    if (charges.length === 0) return;
    const args: (string | number)[] = charges.map((c) => this.prefix + c.key);
    for (const c of charges) args.push(intervalMicros(c.policy.ratePerSecond), c.cost ?? 1);
    await this.client.gatehouseRateRefund(charges.length, ...args);
  }
}
