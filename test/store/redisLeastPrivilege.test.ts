// Least privilege on Redis (the Redis side of test/scale/leastPrivilege.test.ts): the ACL that
// deploy/redis-acl.conf ships for Gatehouse's Redis user is enough to run the
// whole server (rate limits, failed-login counters, used TOTP steps, readiness), and with it
// Redis itself refuses what a compromised or misled server process could otherwise do: wipe
// or read the whole keyspace, reconfigure Redis (CONFIG SET dir/dbfilename is the classic
// Redis-to-shell route), load modules, widen its own ACL, or touch keys outside Gatehouse's
// prefixes, also from inside a script. Destructive commands are checked with ACL DRYRUN, so a
// wrong ACL fails this test without harming the Redis it runs against.
// Requires the Redis every test machine runs (GATEHOUSE_TEST_REDIS_URL), with ACLs (Redis ≥ 7).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { totpCodeAt } from '../../src/accounts/mfa/totp.ts';
import type { Config } from '../../src/config/schema.ts';
import { createRedisClient } from '../../src/store/redisClient.ts';
import { basicAuth, call, passwordFor } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The rules of deploy/redis-acl.conf's `user gatehouse on >… <rules>` line, as shipped. */
const GATEHOUSE_REDIS_ACL = (() => {
  const line = fs.readFileSync('deploy/redis-acl.conf', 'utf8').split('\n').find((l) => l.startsWith('user gatehouse '));
  assert.ok(line, 'deploy/redis-acl.conf has a "user gatehouse" line');
  return line.split(/\s+/).slice(2).filter((rule) => rule !== 'on' && !rule.startsWith('>') && !rule.startsWith('#'));
})();

describe('least privilege: Gatehouse runs as a Redis user that can touch only its own keys', () => {
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const user = `gh_test_${crypto.randomBytes(4).toString('hex')}`;
  const password = crypto.randomBytes(18).toString('base64url');
  const url = new URL(REDIS_URL);
  url.username = user;
  url.password = password;
  let server: TestServer;
  let restricted: Redis;

  before(async () => {
    await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, ...GATEHOUSE_REDIS_ACL);
    // Plan `basic`: its daily quota (10,000) keeps a charged key for 8.6 s per request, long enough to look.
    server = await startTestServer({ config: { redisUrl: url.toString(), rateLayers: { defaultPlan: 'basic' } as Config['rateLayers'] } });
    restricted = createRedisClient(url.toString());
    if (restricted.status !== 'ready') await new Promise((resolve) => restricted.once('ready', resolve));
  });
  after(async () => {
    await server?.close();
    restricted?.disconnect();
    await admin.call('ACL', 'DELUSER', user);
    admin.disconnect();
  });

  it('serves logins, quotas, TOTP (a replayed code refused) and readiness with only that ACL', async () => {
    const app = server.app.fastify;
    const name = `hank${crypto.randomBytes(3).toString('hex')}`;
    assert.equal((await call(app, 'POST', '/v1/users', { body: { username: name, password: passwordFor(name) } })).status, 201);
    const tok = await call(app, 'POST', '/v1/tokens', { headers: { authorization: basicAuth(name, passwordFor(name)) }, body: { name: 't' } });
    assert.equal(tok.status, 201);
    assert.equal((await call(app, 'GET', '/v1/users/me', { token: tok.json.token })).status, 200);
    const start = await call(app, 'POST', '/v1/users/me/mfa/totp', { token: tok.json.token });
    const code = totpCodeAt(start.json.secret, Date.now());
    assert.equal((await call(app, 'POST', '/v1/users/me/mfa/totp/confirm', { token: tok.json.token, body: { code } })).status, 200);
    const replay = await call(app, 'POST', '/v1/sessions', { body: { username: name, password: passwordFor(name), otp: code } });
    assert.equal(replay.status, 401, 'the code confirmed a moment ago is marked used in Redis');
    assert.equal((await call(app, 'GET', '/readyz')).status, 200);
    // The limiter decided on Redis, not on its in-process fallback: the user's daily quota is there.
    const quotaKey = `gatehouse:rl:pd:${name}`;
    assert.equal(await admin.exists(quotaKey), 1);
    await admin.del(quotaKey);
  });

  it('ACL DRYRUN answers OK for what the user may do (so the refusals below mean something)', async () => {
    for (const command of [['GET', 'gh:otp:x'], ['HSET', 'gh:login:x', 'f', '1'], ['EVALSHA', 'x', '1', 'gatehouse:rl:x'], ['PING']]) {
      assert.equal(await admin.call('ACL', 'DRYRUN', user, ...command), 'OK', command.join(' '));
    }
  });

  for (const command of [
    ['FLUSHALL'], ['FLUSHDB'], ['KEYS', '*'], ['SCAN', '0'], ['CONFIG', 'SET', 'dir', '/tmp'], ['CONFIG', 'GET', '*'], ['SAVE'],
    ['MODULE', 'LOAD', '/tmp/evil.so'], ['ACL', 'SETUSER', '<itself>', '+@all'], ['SCRIPT', 'FLUSH'], ['FUNCTION', 'FLUSH'],
    ['DEBUG', 'SLEEP', '0'], ['SHUTDOWN'], ['REPLICAOF', '127.0.0.1', '1'], ['MIGRATE', '127.0.0.1', '1', 'gh:otp:x', '0', '1'],
    ['SUBSCRIBE', 'x'], ['GET', 'session:secret'], ['SET', 'gh:evil', '1'], ['DEL', 'some:other:key'],
  ]) {
    it(`Redis refuses ${command.join(' ')} to that user`, async () => {
      const args = command.map((arg) => (arg === '<itself>' ? user : arg));
      const answer = String(await admin.call('ACL', 'DRYRUN', user, ...args).catch((e: Error) => e.message));
      assert.notEqual(answer, 'OK', `${command.join(' ')} would be allowed`);
    });
  }

  it('…and refuses keys outside its prefixes from inside a script, too', async () => {
    const outside = `test:${crypto.randomBytes(4).toString('hex')}:outside`;
    await assert.rejects(restricted.eval(`return redis.call('SET', '${outside}', '1')`, 0), /NOPERM|can't access/i);
    await assert.rejects(restricted.eval(`return redis.call('GET', KEYS[1])`, 1, outside), /NOPERM|can't access/i);
    assert.equal(await admin.exists(outside), 0);
    assert.equal(await restricted.eval(`return redis.call('SET', KEYS[1], '1', 'PX', 1000)`, 1, `gh:otp:${outside}`), 'OK', 'its own prefix works');
  });
});
