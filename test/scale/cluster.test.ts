// Several instances behind the load balancer (issue 9), for real: `npm run cluster`'s
// startCluster runs three `gatehouse serve` processes and HAProxy on loopback against
// PostgreSQL (a fresh schema) and Redis, sharing one keyring and one certificate.
// - One Redis connection per instance (src/server/sharedStores.ts), seen in Redis's CLIENT LIST.
// - A per-user quota (plan `basic`, 120 per minute) holds for the deployment: one user's
//   requests, spread by the balancer over all three instances, are admitted exactly up to the
//   quota plus what it refilled during the run (quotaWindow.ts); the rest get 429 naming it.
// - Revocation: a logout (or a token revocation) on one instance is refused on the others
//   within one second: there is no per-instance cache, every request checks the database.
// - Redis-shared state: failed logins spread over the instances count once (the account is
//   locked after its free failures, wherever they happened); a TOTP code used on one instance
//   is refused on another (RFC 6238 §5.2).
// - Concurrent writes through all instances: afterwards `gatehouse audit verify` passes (the
//   PostgreSQL advisory lock keeps one chain) and every acknowledged message is stored.
// - SIGKILL of one instance mid-load: no acknowledged write is lost and the others keep serving.
// Fails (never skips) when PostgreSQL, Redis or haproxy is missing.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../../deploy/cluster.ts';
import { main } from '../../src/cli/main.ts';
import { totpCodeAt } from '../../src/accounts/mfa/totp.ts';
import { DEFAULT_LOGIN_THROTTLE } from '../../src/accounts/login/throttlePolicy.ts';
import { basicAuth, passwordFor } from '../helpers/api.ts';
import { adminQuery } from '../helpers/testDatabase.ts';
import { redisConnectionName } from '../../src/store/redisClient.ts';
import { jsonClient, type JsonClient } from './clusterClient.ts';
import { admissible, deviationPercent } from './quotaWindow.ts';
import { PG_URL, REDIS_URL } from './services.ts';
import { Redis } from 'ioredis';

const schema = `cl_${crypto.randomBytes(5).toString('hex')}`;
const databaseUrl = (() => { const u = new URL(PG_URL); u.searchParams.set('schema', schema); return u.toString(); })();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-cluster-'));
const BASE_PORT = 20_000 + Math.floor(Math.random() * 20_000);
/** The user on plan `basic` (GATEHOUSE_RATE_USER_PLANS), and the plan as loadConfig defines it. */
const QUOTA_USER = `quota${crypto.randomBytes(3).toString('hex')}`;
const QUOTA_PER_MINUTE = 120;
/** Twice the quota: well past it, however slow the machine (the refill is 2/s). */
const QUOTA_REQUESTS = QUOTA_PER_MINUTE * 2;

describe('three instances behind HAProxy', { timeout: 90_000 }, () => {
  let cluster: Cluster;
  let lb: JsonClient;
  let direct: JsonClient[];
  const acknowledged = new Set<string>();
  let alice: { token: string; basic: string };
  let spaceId: string;
  let redisUrl: URL;

  before(async () => {
    await adminQuery(`create schema ${schema}`, PG_URL);
    // Redis keeps what earlier runs left (failed-login counters last an hour): this suite gets
    // a logical database of its own, emptied first, so a previous run cannot lock it out.
    redisUrl = new URL(REDIS_URL);
    redisUrl.pathname = '/11';
    const redis = new Redis(redisUrl.toString(), { maxRetriesPerRequest: 1 });
    await redis.flushdb();
    await redis.quit();
    cluster = await startCluster({
      basePort: BASE_PORT, databaseUrl, redisUrl: redisUrl.toString(), dir, quiet: true,
      // Every request reaches the instances from the balancer's address range, and the load
      // tests post hundreds of messages as one user: lift the limits these tests are not about.
      env: {
        GATEHOUSE_RATE_GLOBAL_PER_SECOND: '100000', GATEHOUSE_RATE_ADDRESS_PER_SECOND: '100000', GATEHOUSE_RATE_USER_PER_SECOND: '100000',
        GATEHOUSE_RATE_RANGE_PER_SECOND: '100000', GATEHOUSE_RATE_DEFAULT_PLAN: 'bulk', GATEHOUSE_RATE_PASSWORD_ROUTE_COST: '1',
        // …except the one user whose quota is the point of a test.
        GATEHOUSE_RATE_USER_PLANS: `${QUOTA_USER}=basic`,
        // Load shedding off (as in testConfig): a busy test machine must not turn into random 503s.
        GATEHOUSE_SHED_EVENT_LOOP_DELAY_MS: '60000', GATEHOUSE_SHED_HEAP_USED_RATIO: '1',
      },
    });
    lb = jsonClient(cluster.port, cluster.ca, 24);
    direct = cluster.instances.map((inst) => jsonClient(inst.port, cluster.ca));
    alice = await registerWithToken(lb, `alice${crypto.randomBytes(3).toString('hex')}`);
    const space = await lb('POST', '/v1/spaces', { token: alice.token, body: { name: 'load' } });
    assert.equal(space.status, 201);
    spaceId = space.json.id;
  });

  after(async () => {
    lb?.close();
    for (const c of direct ?? []) c.close();
    await cluster?.stop();
    await adminQuery(`drop schema if exists ${schema} cascade`, PG_URL);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('each instance holds exactly one Redis connection, shared by all its stores', async () => {
    // Every instance reports Redis ready first (its /readyz pings it), so none is still connecting.
    for (const c of direct) assert.equal((await c('GET', '/readyz')).status, 200);
    const redis = new Redis(redisUrl.toString(), { maxRetriesPerRequest: 1 });
    try {
      const names = String(await redis.client('LIST')).split('\n').map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1]);
      for (const inst of cluster.instances) {
        const mine = names.filter((n) => n === redisConnectionName(inst.child.pid));
        assert.equal(mine.length, 1, `instance ${inst.url} (pid ${inst.child.pid}) has ${mine.length} Redis connections`);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('a per-user quota holds across the three instances: exactly the quota plus its refill, the rest 429', async (t) => {
    const password = passwordFor(QUOTA_USER);
    assert.equal((await lb('POST', '/v1/users', { body: { username: QUOTA_USER, password } })).status, 201); // anonymous: not the user's quota
    const admin = await metricsReader();
    const before = await Promise.all(direct.map((c) => meCounts(c, admin)));
    const started = performance.now();
    // Creating the token is the quota's first charge; then all requests at once, round-robin.
    const token = await lb('POST', '/v1/tokens', { basic: basicAuth(QUOTA_USER, password), body: { name: 'quota' } });
    assert.equal(token.status, 201);
    const burst = jsonClient(cluster.port, cluster.ca, 48);
    const replies = await Promise.all(Array.from({ length: QUOTA_REQUESTS }, () => burst('GET', '/v1/users/me', { token: token.json.token })))
      .finally(() => burst.close());
    const elapsedSeconds = (performance.now() - started) / 1000;

    assert.deepEqual([...new Set(replies.map((r) => r.status))].sort(), [200, 429],
      `unexpected answers: ${JSON.stringify(replies.filter((r) => r.status !== 200 && r.status !== 429).map((r) => `${r.status} ${r.json?.code ?? r.text.slice(0, 80)}`))}`);
    for (const r of replies.filter((r) => r.status === 429)) {
      assert.match(String(r.headers['retry-after']), /^[1-9]\d*$/);
      assert.equal(r.headers['ratelimit-policy'], `"basic-minute";q=${QUOTA_PER_MINUTE};w=60`, 'refused by the user\'s plan quota');
    }
    const ok = replies.filter((r) => r.status === 200).length;
    const charged = 1 + ok;
    const bounds = admissible(QUOTA_PER_MINUTE, QUOTA_PER_MINUTE / 60, elapsedSeconds);
    // Which instance answered what, from each instance's own metrics.
    const after = await Promise.all(direct.map((c) => meCounts(c, admin)));
    const perInstance = after.map((a, i) => ({ ok: a.ok - before[i]!.ok, limited: a.limited - before[i]!.limited }));
    t.diagnostic(`configured ${QUOTA_PER_MINUTE}/min; charged ${charged} (${deviationPercent(charged, QUOTA_PER_MINUTE)}) in ${elapsedSeconds.toFixed(2)} s; admissible ${bounds.min}..${bounds.max}; 200/429 per instance ${perInstance.map((p) => `${p.ok}/${p.limited}`).join(', ')}`);
    assert.ok(charged >= bounds.min && charged <= bounds.max, `charged ${charged}, admissible ${bounds.min}..${bounds.max} in ${elapsedSeconds.toFixed(2)} s`);
    for (const [i, p] of perInstance.entries()) assert.ok(p.ok > 0 && p.limited > 0, `instance ${i} served ${p.ok} and refused ${p.limited}`);
    assert.equal(perInstance.reduce((sum, p) => sum + p.ok, 0), ok, 'every 200 came from one of the instances');
    assert.equal(perInstance.reduce((sum, p) => sum + p.limited, 0), QUOTA_REQUESTS - ok);
  });

  it('a logout on one instance is refused on the other two within one second', async () => {
    const name = `bob${crypto.randomBytes(3).toString('hex')}`;
    assert.equal((await lb('POST', '/v1/users', { body: { username: name, password: passwordFor(name) } })).status, 201);
    const login = await direct[0]!('POST', '/v1/sessions', { body: { username: name, password: passwordFor(name) } });
    assert.equal(login.status, 201);
    const cookie = String(([] as string[]).concat(login.headers['set-cookie'] ?? [])[0]).split(';')[0]!;
    for (const c of direct) assert.equal((await c('GET', '/v1/users/me', { cookie })).status, 200, 'the session works everywhere');
    const loggedOut = await direct[0]!('DELETE', '/v1/sessions/current', { cookie, csrf: login.json.csrfToken });
    assert.equal(loggedOut.status, 204);
    const at = Date.now();
    for (const c of direct.slice(1)) assert.equal((await c('GET', '/v1/users/me', { cookie })).status, 401);
    assert.ok(Date.now() - at < 1000, `refused on the others after ${Date.now() - at} ms`);
  });

  it('a token revoked on one instance is refused on the others within one second', async () => {
    const token = await lb('POST', '/v1/tokens', { basic: alice.basic, body: { name: 'short' } });
    assert.equal(token.status, 201);
    for (const c of direct) assert.equal((await c('GET', '/v1/users/me', { token: token.json.token })).status, 200);
    assert.equal((await direct[1]!('DELETE', `/v1/tokens/${token.json.id}`, { token: alice.token })).status, 204);
    const at = Date.now();
    for (const c of [direct[0]!, direct[2]!]) assert.equal((await c('GET', '/v1/users/me', { token: token.json.token })).status, 401);
    assert.ok(Date.now() - at < 1000);
  });

  it('failed logins spread over the instances count together: the account locks after its free failures', async () => {
    const name = `dave${crypto.randomBytes(3).toString('hex')}`;
    assert.equal((await lb('POST', '/v1/users', { body: { username: name, password: passwordFor(name) } })).status, 201);
    const free = DEFAULT_LOGIN_THROTTLE.account.freeFailures;
    for (let i = 0; i < free; i++) {
      assert.equal((await direct[i % 3]!('POST', '/v1/sessions', { body: { username: name, password: 'wrong password, wrong' } })).status, 401);
    }
    // With per-instance counters each instance would still allow several more guesses.
    for (const c of direct) assert.equal((await c('POST', '/v1/sessions', { body: { username: name, password: 'wrong password, wrong' } })).status, 429);
  });

  it('a TOTP code accepted on one instance is refused on the others', async () => {
    const name = `erin${crypto.randomBytes(3).toString('hex')}`;
    const erin = await registerWithToken(lb, name);
    const start = await direct[0]!('POST', '/v1/users/me/mfa/totp', { token: erin.token });
    assert.equal(start.status, 200);
    // Confirm with the previous step's code (inside the window), so the current one is unused.
    const confirm = await direct[0]!('POST', '/v1/users/me/mfa/totp/confirm', { token: erin.token, body: { code: totpCodeAt(start.json.secret, Date.now() - 30_000) } });
    assert.equal(confirm.status, 200);
    const otp = totpCodeAt(start.json.secret, Date.now());
    const first = await direct[1]!('POST', '/v1/sessions', { body: { username: name, password: passwordFor(name), otp } });
    assert.equal(first.status, 201);
    for (const c of [direct[0]!, direct[2]!]) {
      const replay = await c('POST', '/v1/sessions', { body: { username: name, password: passwordFor(name), otp } });
      assert.equal(replay.status, 401, 'replayed code refused');
    }
  });

  it('concurrent writes on all instances: every acknowledged message is stored and the audit chain verifies', async () => {
    const results = await Promise.all(Array.from({ length: 600 }, (_, i) => post(direct[i % 3]!, `direct ${i}`)));
    assert.equal(results.filter((s) => s === 201).length, 600, 'all instances serve');
    await assertAllStored();
    assert.equal(await auditVerify(), 0);
  });

  it('SIGKILL of one instance mid-load loses no acknowledged write; the others keep serving', async () => {
    const statuses: number[] = [];
    let sent = 0;
    const worker = async () => {
      while (sent < 900) {
        statuses.push(await post(lb, `via balancer ${sent++}`));
      }
    };
    const load = Promise.all(Array.from({ length: 12 }, worker));
    while (sent < 300) await new Promise((r) => setTimeout(r, 5));
    await cluster.kill(2);
    await load;
    const failed = statuses.filter((s) => s !== 201).length;
    assert.ok(failed <= 24, `${failed} requests failed (at most those in flight on the killed instance)`);
    // The two survivors take all new work.
    const afterKill = await Promise.all(Array.from({ length: 60 }, (_, i) => post(lb, `after ${i}`)));
    assert.deepEqual([...new Set(afterKill)], [201]);
    await assertAllStored();
    assert.equal(await auditVerify(), 0);
  });

  /** Posts one message; remembers its id when acknowledged (201). */
  async function post(client: JsonClient, text: string): Promise<number> {
    const res = await client('POST', `/v1/spaces/${spaceId}/messages`, { token: alice.token, body: { text } });
    if (res.status === 201) acknowledged.add(res.json.id);
    return res.status;
  }

  async function assertAllStored(): Promise<void> {
    const stored = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await lb('GET', `/v1/spaces/${spaceId}/messages?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: alice.token });
      assert.equal(page.status, 200);
      for (const m of page.json.items) stored.add(m.id);
      cursor = page.json.nextCursor ?? undefined;
    } while (cursor);
    const missing = [...acknowledged].filter((id) => !stored.has(id));
    assert.deepEqual(missing, [], `${missing.length} acknowledged messages missing`);
  }

  /** An administrator's token with only the metrics scope, made with `gatehouse user add --admin`. */
  async function metricsReader(): Promise<string> {
    const name = `ops${crypto.randomBytes(3).toString('hex')}`;
    const out: string[] = [];
    const code = await main(['user', 'add', name, '--admin'], { out: (t) => out.push(t), err: (t) => out.push(t), readSecret: async () => passwordFor(name), env: cliEnv() });
    assert.equal(code, 0, out.join('\n'));
    const tok = await lb('POST', '/v1/tokens', { basic: basicAuth(name, passwordFor(name)), body: { name: 'scrape', scopes: ['metrics'] } });
    assert.equal(tok.status, 201);
    return tok.json.token;
  }

  /** GET /v1/users/me answered 200 and 429 so far, from one instance's gatehouse_requests_total. */
  async function meCounts(client: JsonClient, token: string): Promise<{ ok: number; limited: number }> {
    const res = await client('GET', '/metrics', { token });
    assert.equal(res.status, 200);
    const count = (status: number) => res.text.split('\n')
      .filter((l) => l.startsWith('gatehouse_requests_total{') && l.includes('method="GET"') && l.includes('route="/v1/users/me"') && l.includes(`status="${status}"`))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    return { ok: count(200), limited: count(429) };
  }

  function cliEnv(): Record<string, string> {
    return { GATEHOUSE_DATABASE_URL: databaseUrl, GATEHOUSE_KEYRING_FILE: path.join(dir, 'keyring'), GATEHOUSE_DATA_DIR: path.join(dir, 'cli') };
  }

  async function auditVerify(): Promise<number> {
    const out: string[] = [];
    const code = await main(['audit', 'verify'], { out: (t) => out.push(t), err: (t) => out.push(t), readSecret: async () => '', env: cliEnv() });
    assert.equal(code, 0, out.join('\n'));
    return code;
  }
});

async function registerWithToken(client: JsonClient, username: string): Promise<{ token: string; basic: string }> {
  const password = passwordFor(username);
  assert.equal((await client('POST', '/v1/users', { body: { username, password } })).status, 201);
  const tok = await client('POST', '/v1/tokens', { basic: basicAuth(username, password), body: { name: 'load' } });
  assert.equal(tok.status, 201);
  return { token: tok.json.token, basic: basicAuth(username, password) };
}
