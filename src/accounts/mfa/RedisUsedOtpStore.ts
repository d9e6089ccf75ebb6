import type { Redis } from 'ioredis';
import { GatehouseError } from '../../errors/GatehouseError.ts';
import type { UsedOtpStore } from './UsedOtpStore.ts';

/**
 * Test-and-set of a used TOTP step, shared by every instance: one Lua script reads the
 * step's expiry and writes the new one atomically, so two instances given the same code
 * at once cannot both accept it. The expiry is kept in the value (times are the caller's
 * `nowMs`, as in the memory store) and also set as PX so Redis drops stale keys itself.
 */
const CLAIM = `
local expiry = tonumber(redis.call('GET', KEYS[1]))
local now = tonumber(ARGV[1])
if expiry and expiry > now then return 0 end
redis.call('SET', KEYS[1], now + tonumber(ARGV[2]), 'PX', ARGV[2])
return 1`;

/** UsedOtpStore on Redis. Redis down: the claim throws 503, so the code is refused (fail closed). */
export class RedisUsedOtpStore implements UsedOtpStore {
  constructor(private readonly redis: Redis, private readonly prefix = 'gh:otp:') {}

  async claim(accountId: string, step: number, nowMs: number, ttlMs: number): Promise<boolean> {
    try {
      const won = await this.redis.eval(CLAIM, 1, `${this.prefix}${accountId}:${step}`, nowMs, Math.max(1, Math.ceil(ttlMs)));
      return won === 1;
    } catch (err) {
      // A code we cannot mark used could be replayed on another instance: refuse it.
      throw new GatehouseError('overloaded', { detail: 'Try again shortly', auditReason: `used-code store unavailable: ${String(err)}`, headers: { 'retry-after': '1' } });
    }
  }
}
