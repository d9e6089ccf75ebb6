// Attack: login flood. Each password check costs an argon2 hash (~7 ms of CPU); a flood of
// logins, each with a different name and many addresses so that no per-account or
// per-address limit stops it, would otherwise take every core and starve all other users.
// The number of concurrent hashes is bounded: the excess gets 503 with Retry-After at once,
// while requests that need no hash (bearer tokens) keep being served. Over the real HTTPS
// listener: the flood's TLS connections are opened first (keep-alive), so its requests reach
// the server together, each from its own address (X-Forwarded-For from the trusted proxy).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LOGIN_THROTTLE } from '../../../src/accounts/login/throttlePolicy.ts';
import { hashingConcurrencyFor } from '../../../src/accounts/passwordHashing.ts';
import { call, keepAliveClient, LOOPBACK_PROXY, passwordFor, userWithToken } from '../../helpers/api.ts';
import { startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('attack: login flood, the default bound', () => {
  it('lets hashes use at most half the cores (at least one), so a flood leaves the request path a core', () => {
    assert.deepEqual([1, 2, 3, 4, 8, 64].map(hashingConcurrencyFor), [1, 1, 1, 2, 4, 32]);
  });
});

describe('attack: login flood', () => {
  let server: TestServer;
  let client: ReturnType<typeof keepAliveClient>;
  let token: string;
  const login = (username: string, password: string, from: string) => call(client, 'POST', '/v1/sessions', { from, body: { username, password } });

  before(async () => {
    server = await startTestServer({ listen: true, hashing: { maxConcurrent: 2, maxQueued: 8 }, loginThrottle: DEFAULT_LOGIN_THROTTLE, config: LOOPBACK_PROXY });
    client = keepAliveClient(server);
    token = (await userWithToken(client, 'legit')).token;
  });
  after(async () => {
    client.close();
    await server.close();
  });
  /** Opens `n` TLS connections and leaves them idle in the client's pool. */
  const warm = async (n: number) => {
    const ok = await Promise.all(Array.from({ length: n }, () => call(client, 'GET', '/healthz')));
    assert.ok(ok.every((r) => r.status === 200));
  };

  it('the flood gets 503 + Retry-After beyond the hashing bound while a bearer user keeps working', async () => {
    await warm(121);
    const flood = Array.from({ length: 120 }, (_, i) => login(`bot${i}`, 'Guess-password-number-1', `100.64.${i >> 4}.${i & 15}`));
    // Served *during* the flood, not after it: no wall-clock threshold (performance belongs in
    // bench/), but the order in which things finish shows the bearer user was not starved.
    let floodSettled = false;
    let servedDuringFlood = 0;
    const legitDone = (async () => {
      for (let i = 0; i < 20; i++) {
        const res = await call(client, 'GET', '/v1/users/me', { token });
        assert.equal(res.status, 200);
        if (!floodSettled) servedDuringFlood++;
      }
    })();
    const results = await Promise.all(flood);
    floodSettled = true;
    await legitDone;
    const overloaded = results.filter((r) => r.status === 503);
    assert.ok(overloaded.length >= 100, `${overloaded.length} of 120 got 503`);
    for (const r of overloaded) {
      assert.equal(r.headers['retry-after'], '1');
      assert.equal(r.json.code, 'overloaded');
    }
    assert.equal(results.filter((r) => r.status === 401).length, 120 - overloaded.length, 'the rest were checked and refused');
    assert.ok(servedDuringFlood >= 5, `only ${servedDuringFlood} of 20 bearer requests were served while the flood ran`);
  });

  it('503s during a flood are not counted as failed logins: the real user is not locked out by them', async () => {
    await warm(68);
    const flood = Array.from({ length: 60 }, (_, i) => login(`bot${i}`, 'Guess-password-number-1', `100.65.${i >> 4}.${i & 15}`));
    const mine = Array.from({ length: 8 }, () => login('legit', passwordFor('legit'), '192.0.2.77'));
    const results = await Promise.all([...flood, ...mine]);
    assert.ok(results.slice(60).some((r) => r.status === 503), 'some of the user’s logins met the full gate');
    const after = await login('legit', passwordFor('legit'), '192.0.2.77');
    assert.equal(after.status, 201);
  });
});
