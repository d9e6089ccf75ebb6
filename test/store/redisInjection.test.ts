// Redis command injection (STRIDE: tampering, elevation of privilege on the Gatehouse → Redis
// flow). What a client chooses reaches Redis as key names: above all the account name typed
// at login (any 1–64 characters; the failed-login counters are keyed by it). Payloads that
// would break a command or script built from strings — a CRLF followed by a RESP FLUSHALL
// frame, inline-command text, Lua that closes a string and calls redis.call, glob and
// bracket characters, NUL, non-ASCII — are sent as login names through the real pipeline and
// straight into each Redis store. Each must become exactly one key, named literally, and
// nothing else may change: a sentinel key survives, a key the payloads try to SET never
// appears. Why it holds: the Lua scripts are constants; input travels only as RESP bulk
// strings (KEYS/ARGV, length-prefixed), never as command or script text.
// Requires the Redis every test machine runs (GATEHOUSE_TEST_REDIS_URL): unreachable fails.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { addressRange } from '../../src/accounts/login/addressRange.ts';
import { RedisLoginFailureStore } from '../../src/accounts/login/RedisLoginFailureStore.ts';
import { RedisUsedOtpStore } from '../../src/accounts/mfa/RedisUsedOtpStore.ts';
import { RedisRateLimitStore } from '../../src/pipeline/ratelimit/RedisRateLimitStore.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = crypto.randomBytes(4).toString('hex');
const PWNED = `pwned-${run}`;
const PAYLOADS = [
  `x\r\n*1\r\n$8\r\nFLUSHALL\r\n${run}`,
  `FLUSHALL ${run}`,
  `"); redis.call('SET', '${PWNED}', '1') --${run}`,
  `]] redis.call('SET','${PWNED}','1') --[[${run}`,
  `* ${run}`,
  `gh:login:[a-z]?${run}`,
  `nul\u0000${run}`,
  `ünïcødé 🐘 ${run}`,
];
const RULE = { freeFailures: 1000, maxDelaySeconds: 1, forgetAfterSeconds: 60 };

describe('attack: Redis command injection', () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const sentinel = `test:${run}:sentinel`;
  let server: TestServer;
  const cleanup: string[] = [];

  before(async () => {
    await redis.set(sentinel, 'still here', 'EX', 600);
    server = await startTestServer({ config: { redisUrl: REDIS_URL }, loginThrottle: { account: RULE, device: RULE, address: RULE, range: RULE } });
  });
  after(async () => {
    await server?.close();
    await redis.del(sentinel, ...cleanup);
    redis.disconnect();
  });

  it('login names are counted as literal keys through the pipeline; nothing else in Redis changes', async () => {
    const address = `10.${crypto.randomInt(256)}.${crypto.randomInt(256)}.${crypto.randomInt(1, 255)}`;
    cleanup.push(`gh:login:address:${address}`, `gh:login:range:${addressRange(address)}`);
    // PostgreSQL text cannot hold U+0000: there the NUL name is refused (400) before it is counted,
    // as in sqlInjection.test.ts; the stores themselves take it below, on every database.
    const names = PAYLOADS.filter((p) => server.database.dialect === 'sqlite' || !p.includes('\u0000'));
    for (const username of names) {
      const res = await server.app.fastify.inject({ method: 'POST', url: '/v1/sessions', remoteAddress: address, payload: { username, password: 'a wrong password, long enough' } });
      assert.equal(res.statusCode, 401, JSON.stringify(username));
      const key = `gh:login:account:${username.toLowerCase()}`;
      cleanup.push(key);
      assert.equal(await redis.hget(key, 'f'), '1', `one failure counted under the literal name ${JSON.stringify(username)}`);
    }
    assert.equal(await redis.hget(`gh:login:address:${address}`, 'f'), String(names.length));
    assert.equal(await redis.get(sentinel), 'still here');
    assert.equal(await redis.exists(PWNED), 0);
  });

  it('each Redis store writes exactly one literal key per input and no other', async () => {
    const prefix = `test:${run}:store:`;
    const limits = new RedisRateLimitStore(redis, `${prefix}rl:`);
    const logins = new RedisLoginFailureStore(redis, `${prefix}login:`);
    const otps = new RedisUsedOtpStore(redis, `${prefix}otp:`);
    const policy = { name: 'p', ratePerSecond: 0.001, burst: 2 };
    for (const input of PAYLOADS) {
      assert.equal((await limits.consume(input, policy, Date.now())).allowed, true);
      assert.deepEqual(await logins.begin(input, Date.now(), RULE), { allowed: true });
      assert.equal(await otps.claim(input, 1, Date.now(), 60_000), true);
      assert.equal(await otps.claim(input, 1, Date.now(), 60_000), false, 'and the claim holds');
    }
    const expected = PAYLOADS.flatMap((p) => [`${prefix}rl:${p}`, `${prefix}login:${p}`, `${prefix}otp:${p}:1`]).sort();
    const found = (await redis.keys(`test:${run}:store:*`)).sort();
    cleanup.push(...found);
    assert.deepEqual(found, expected);
    assert.equal(await redis.get(sentinel), 'still here');
    assert.equal(await redis.exists(PWNED), 0);
  });
});
