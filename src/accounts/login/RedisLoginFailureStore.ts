import type { Redis } from 'ioredis';
import { GatehouseError } from '../../errors/GatehouseError.ts';
import type { ThrottleRule } from './throttlePolicy.ts';
import type { LoginFailureStore } from './LoginFailureStore.ts';

/**
 * `decideAttempt` and `forgiveAttempt` (throttlePolicy.ts) as Lua, so that deciding and
 * counting is one atomic step on the shared counter: N parallel attempts on one key, spread
 * over any number of instances, start at most the free number. Times are the caller's
 * `nowMs` (like the memory store); the key also expires after forgetAfterSeconds.
 */
const BEGIN = `
local rec = redis.call('HMGET', KEYS[1], 'f', 'l')
local now = tonumber(ARGV[1]); local free = tonumber(ARGV[2])
local maxDelay = tonumber(ARGV[3]) * 1000; local forget = tonumber(ARGV[4]) * 1000
local failures = 0; local last = nil
if rec[2] and now - tonumber(rec[2]) < forget then failures = tonumber(rec[1]); last = tonumber(rec[2]) end
local waitUntil = now
if last then
  local delay = 0
  if failures >= free then delay = math.min(2 ^ math.min(failures - free, 30) * 1000, maxDelay) end
  waitUntil = last + delay
end
if waitUntil > now then return waitUntil - now end
redis.call('HSET', KEYS[1], 'f', failures + 1, 'l', now)
redis.call('PEXPIRE', KEYS[1], forget)
return -1`;

const FORGIVE = `
local f = tonumber(redis.call('HGET', KEYS[1], 'f'))
if not f or f <= 1 then redis.call('DEL', KEYS[1]) else redis.call('HINCRBY', KEYS[1], 'f', -1) end
return 1`;

/** LoginFailureStore on Redis. Redis down: begin throws 503, so no password is checked (fail closed). */
export class RedisLoginFailureStore implements LoginFailureStore {
  constructor(private readonly redis: Redis, private readonly prefix = 'gh:login:') {}

  async begin(key: string, nowMs: number, rule: ThrottleRule) {
    let result: unknown;
    try {
      result = await this.redis.eval(BEGIN, 1, this.prefix + key, nowMs, rule.freeFailures, rule.maxDelaySeconds, rule.forgetAfterSeconds);
    } catch (err) {
      throw unavailable(err);
    }
    const wait = Number(result);
    return wait < 0 ? { allowed: true as const } : { allowed: false as const, retryAfterMs: wait };
  }

  async forgive(key: string): Promise<void> {
    try {
      await this.redis.eval(FORGIVE, 1, this.prefix + key);
    } catch (err) {
      throw unavailable(err);
    }
  }
}

/** Without the shared counters an attacker could spread guesses over instances: refuse logins. */
function unavailable(err: unknown): GatehouseError {
  return new GatehouseError('overloaded', { detail: 'Try again shortly', auditReason: `login-failure store unavailable: ${String(err)}`, headers: { 'retry-after': '1' } });
}
