// The Redis adapters of the shared-state ports (issue 9) run the same contract suites as the
// in-process ones, against the Redis at GATEHOUSE_TEST_REDIS_URL (default
// redis://127.0.0.1:6379; CI starts it). An unreachable Redis fails these tests, never skips
// them. Each store gets a fresh key prefix, so parallel runs do not see each other. Also:
// with Redis down, both stores fail closed (503), never "allowed".
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, describe, it } from 'node:test';
import { RedisLoginFailureStore } from '../../src/accounts/login/RedisLoginFailureStore.ts';
import { RedisUsedOtpStore } from '../../src/accounts/mfa/RedisUsedOtpStore.ts';
import { createRedisClient } from '../../src/store/redisClient.ts';
import { GatehouseError } from '../../src/errors/GatehouseError.ts';
import { loginFailureStoreContract, usedOtpStoreContract } from '../accounts/storeContracts.ts';

import { REDIS_URL } from './services.ts';
const redis = createRedisClient(REDIS_URL);
const prefix = () => `test:${crypto.randomBytes(6).toString('hex')}:`;
// disconnect, not quit: quit waits for a connection that may never come, and would keep the test process alive.
after(() => redis.disconnect());

/** Waits for the connection (the client does not queue commands while connecting). */
async function ready(): Promise<void> {
  if (redis.status !== 'ready') await new Promise((resolve, reject) => { redis.once('ready', resolve); setTimeout(() => reject(new Error(`Redis at ${REDIS_URL} unreachable`)), 3000); });
}

usedOtpStoreContract('redis', async () => (await ready(), new RedisUsedOtpStore(redis, prefix())));
loginFailureStoreContract('redis', async () => (await ready(), new RedisLoginFailureStore(redis, prefix())));

describe('Redis stores with Redis down', () => {
  // Nothing listens on port 1: every command is refused at once.
  const down = createRedisClient('redis://127.0.0.1:1');
  after(() => down.disconnect());
  const rule = { freeFailures: 3, maxDelaySeconds: 60, forgetAfterSeconds: 600 };

  it('refuse a login attempt (503) instead of allowing it', async () => {
    await assert.rejects(new RedisLoginFailureStore(down).begin('k', 0, rule), (e) => e instanceof GatehouseError && e.status === 503);
  });

  it('refuse to accept a TOTP step (503) instead of accepting it', async () => {
    await assert.rejects(new RedisUsedOtpStore(down).claim('u', 1, 0, 1000), (e) => e instanceof GatehouseError && e.status === 503);
  });
});
