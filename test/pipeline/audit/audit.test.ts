// The audit stage through the real pipeline (MISSION.md §2, "Audit logging"). Proves: every
// request, including those refused with 400, 401, 403, 404, 413, 415 and 429 and malformed
// URLs, leaves exactly one attempt record and one outcome record linked by the request id
// the client sees in X-Request-Id; outcomes (allowed / denied / error) are classified right;
// the log says precisely why a request was refused while the client gets a generic answer;
// no credential (password, token, token secret, session cookie, CSRF token) ever reaches an
// audit record; and GET /v1/audit filters by actor, action, resource, outcome and time, with
// cursor pagination that neither skips nor repeats.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import type { Config } from '../../../src/config/schema.ts';
import { adminWithToken, basicAuth, call, passwordFor, userWithToken } from '../../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

type Row = { request_id: string; phase: string; outcome: string; status: number | null; reason: string; actor: string; method: string; route: string; resource: string };

/** The audit rows of one request, attempt first. */
async function rowsFor(server: TestServer, requestId: string): Promise<Row[]> {
  await server.app.auditLog.flush();
  return server.database.db.selectFrom('audit_log').selectAll().where('request_id', '=', requestId).orderBy('seq').execute() as Promise<Row[]>;
}

/** Sends a request and checks it left exactly an attempt and an outcome record; returns the outcome. */
async function assertAudited(server: TestServer, opts: InjectOptions, status: number, outcome: 'allowed' | 'denied' | 'error'): Promise<Row> {
  const res = await server.app.fastify.inject(opts);
  const what = `${opts.method} ${String(opts.url).slice(0, 50)}`;
  assert.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 200)}`);
  const requestId = String(res.headers['x-request-id']);
  if (status >= 400) assert.equal(res.json().requestId, requestId, 'the problem body names the same request id');
  const rows = await rowsFor(server, requestId);
  assert.deepEqual(rows.map((r) => r.phase), ['attempt', 'outcome'], what);
  const [attempt, result] = rows as [Row, Row];
  assert.equal(attempt.outcome, 'pending');
  assert.equal(attempt.status, null);
  assert.equal(Number(result.status), status, what);
  assert.equal(result.outcome, outcome, `${what}: ${result.reason}`);
  assert.equal(attempt.method, result.method);
  assert.equal(attempt.resource, result.resource);
  if (outcome !== 'allowed') assert.ok(result.reason.length > 0, `${what} has a reason`);
  return result;
}

describe('audit log', () => {
  let server: TestServer;
  const clock = fakeClock();
  let admin: string;
  let alice: { token: string; id: string };
  let spaceId: string;
  const app = () => server.app.fastify;

  before(async () => {
    server = await startTestServer({ clock });
    admin = (await adminWithToken(app(), server.app.accounts, 'root')).token;
    alice = await userWithToken(app(), 'alice');
    await userWithToken(app(), 'bob');
    spaceId = (await call(app(), 'POST', '/v1/spaces', { token: alice.token, body: { name: 's' } })).json.id;
  });
  after(() => server.close());

  it('every request leaves an attempt and an outcome record, whatever its fate', async () => {
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    const json = { 'content-type': 'application/json' };
    await assertAudited(server, { method: 'GET', url: '/healthz' }, 200, 'allowed');
    await assertAudited(server, { method: 'POST', url: '/v1/spaces', headers: { ...json, ...auth(alice.token) }, payload: '{"name":"x"}' }, 201, 'allowed');
    await assertAudited(server, { method: 'POST', url: '/v1/spaces', headers: { ...json, ...auth(alice.token) }, payload: '{"name":' }, 400, 'error');
    await assertAudited(server, { method: 'POST', url: '/v1/spaces', headers: { ...json, ...auth(alice.token) }, payload: '{"name":"x","owner":"bob"}' }, 400, 'error');
    await assertAudited(server, { method: 'GET', url: '/v1/spaces/%E0%A4%A' }, 400, 'error');
    await assertAudited(server, { method: 'GET', url: '/v1/spaces' }, 401, 'denied');
    await assertAudited(server, { method: 'GET', url: '/v1/spaces', headers: auth('ght_nope.nope') }, 401, 'denied');
    await assertAudited(server, { method: 'GET', url: '/v1/audit', headers: auth(alice.token) }, 403, 'denied');
    await assertAudited(server, { method: 'GET', url: '/no/such/route' }, 404, 'error');
    const hidden = await assertAudited(server, { method: 'GET', url: `/v1/spaces/${spaceId}`, headers: auth((await userWithToken(app(), 'eve')).token) }, 404, 'denied');
    assert.match(hidden.reason, /not a member/);
    await assertAudited(server, { method: 'POST', url: '/v1/users', headers: json, payload: `{"username":"${'x'.repeat(1024 * 1024)}"}` }, 413, 'error');
    await assertAudited(server, { method: 'POST', url: '/v1/users', headers: { 'content-type': 'text/plain' }, payload: 'x' }, 415, 'error');
  });

  it('429s are recorded too, with the layer that refused', async () => {
    const limited = await startTestServer({ clock: fakeClock(), config: { rateLimit: { addressPerSecond: 1 } as Config['rateLimit'] } });
    try {
      await limited.app.fastify.inject({ method: 'GET', url: '/healthz' });
      await limited.app.fastify.inject({ method: 'GET', url: '/healthz' });
      const row = await assertAudited(limited, { method: 'GET', url: '/v1/spaces', headers: { authorization: 'Bearer ght_x.y' } }, 429, 'denied');
      assert.match(row.reason, /rate limit: address/);
      assert.equal(row.actor, 'anonymous', 'refused before authentication: the token was never looked at');
    } finally {
      await limited.close();
    }
  });

  it('records who, with what client, when, what and on which resource', async () => {
    clock.advance(1000);
    const res = await app().inject({ method: 'GET', url: `/v1/spaces/${spaceId}/messages?limit=5`, headers: { authorization: `Bearer ${alice.token}`, 'user-agent': 'audit-test/1.0' } });
    assert.equal(res.statusCode, 200);
    await server.app.auditLog.flush();
    const [attempt, outcome] = await server.database.db.selectFrom('audit_log').selectAll().where('request_id', '=', String(res.headers['x-request-id'])).orderBy('seq').execute();
    for (const r of [attempt!, outcome!]) {
      assert.equal(r.actor, 'alice');
      assert.equal(r.actor_type, 'user');
      assert.equal(r.auth_method, 'bearer');
      assert.equal(r.client_address, '127.0.0.1');
      assert.equal(r.user_agent, 'audit-test/1.0');
      assert.equal(r.method, 'GET');
      assert.equal(r.route, '/v1/spaces/:spaceId/messages');
      assert.equal(r.resource, `/v1/spaces/${spaceId}/messages`, 'the path, without the query string');
      assert.equal(Number(r.time), clock());
    }
  });

  it('the log has the precise reason; the client only a generic one', async () => {
    const { json: live } = await call(app(), 'POST', '/v1/tokens', { headers: { authorization: basicAuth('alice', passwordFor('alice')) }, body: { name: 'r', expiresInSeconds: 60 } });
    const secret = live.token.slice(live.token.indexOf('.') + 1);
    const cases: [string, RegExp][] = [
      ['ght_unknownid.secret', /unknown token id/],
      [`ght_${live.id}.${'y'.repeat(secret.length)}`, new RegExp(`wrong secret for token ${live.id}`)],
    ];
    const bodies: string[] = [];
    for (const [token, reason] of cases) {
      const res = await call(app(), 'GET', '/v1/users/me', { token });
      assert.equal(res.status, 401);
      bodies.push(JSON.stringify({ ...res.json, requestId: 0 }));
      const [, outcome] = await rowsFor(server, String(res.headers['x-request-id']));
      assert.match(outcome!.reason, reason);
      assert.match(outcome!.reason, /^unauthenticated: authentication: /);
    }
    clock.advance(61_000);
    const expired = await call(app(), 'GET', '/v1/users/me', { token: live.token });
    bodies.push(JSON.stringify({ ...expired.json, requestId: 0 }));
    assert.match((await rowsFor(server, String(expired.headers['x-request-id'])))[1]!.reason, /expired/);
    assert.equal(new Set(bodies).size, 1, 'the client cannot tell the reasons apart');
    assert.doesNotMatch(bodies[0]!, /unknown|wrong|expired|secret/);

    const unknownUser = await call(app(), 'POST', '/v1/sessions', { body: { username: 'nobody', password: 'whatever-password-1' } });
    const wrongPassword = await call(app(), 'POST', '/v1/sessions', { body: { username: 'alice', password: 'whatever-password-1' } });
    assert.equal(JSON.stringify({ ...unknownUser.json, requestId: 0 }), JSON.stringify({ ...wrongPassword.json, requestId: 0 }));
    assert.match((await rowsFor(server, String(unknownUser.headers['x-request-id'])))[1]!.reason, /unknown user 'nobody'/);
    assert.match((await rowsFor(server, String(wrongPassword.headers['x-request-id'])))[1]!.reason, /wrong password for 'alice'/);
  });

  it('no credential ever reaches an audit record', async () => {
    const password = passwordFor('carol');
    await call(app(), 'POST', '/v1/users', { body: { username: 'carol', password } });
    const token = (await call(app(), 'POST', '/v1/tokens', { headers: { authorization: basicAuth('carol', password) }, body: { name: 'c' } })).json.token as string;
    const tokenSecret = token.slice(token.indexOf('.') + 1);
    const login = await call(app(), 'POST', '/v1/sessions', { body: { username: 'carol', password } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const cookieSecret = cookie.slice(cookie.indexOf('.') + 1);
    const csrf = login.json.csrfToken as string;
    const wrongPassword = 'Wrong-but-secret-passphrase-77';
    await call(app(), 'POST', '/v1/tokens', { headers: { authorization: basicAuth('carol', wrongPassword) }, body: { name: 'x' } });
    await call(app(), 'POST', '/v1/sessions', { body: { username: 'carol', password: wrongPassword } });
    await call(app(), 'GET', '/v1/users/me', { token });
    await call(app(), 'GET', `/v1/users/me?access_token=${tokenSecret}`, { token: `${token}x` });
    await call(app(), 'POST', '/v1/spaces', { headers: { cookie, 'x-csrf-token': csrf }, body: { name: 'c' } });
    await call(app(), 'POST', '/v1/spaces', { headers: { cookie, 'x-csrf-token': `${csrf}x` }, body: { name: 'c' } });
    await call(app(), 'GET', '/v1/users/me', { headers: { authorization: `Bearer ${tokenSecret}` } });

    await server.app.auditLog.flush();
    const everything = JSON.stringify(await server.database.db.selectFrom('audit_log').selectAll().execute());
    for (const [what, secret] of Object.entries({ password, wrongPassword, token, tokenSecret, cookieSecret, csrf })) {
      assert.ok(!everything.includes(secret), `the ${what} is not in the audit log`);
    }
    assert.ok(everything.includes('"actor":"carol"'), 'carol’s requests were recorded');
  });

  it('GET /v1/audit filters by actor, action, resource and outcome', async () => {
    const get = async (query: string) => {
      const res = await call(app(), 'GET', `/v1/audit?${query}`, { token: admin });
      assert.equal(res.status, 200, res.body);
      return res.json.items as { actor: string; action: { method: string; route: string }; resource: string; outcome: string; requestId: string; phase: string }[];
    };
    const byAlice = await get('actor=alice');
    assert.ok(byAlice.length > 0 && byAlice.every((i) => i.actor === 'alice'));
    const posts = await get('action=POST');
    assert.ok(posts.length > 0 && posts.every((i) => i.action.method === 'POST'));
    const spaceCreations = await get(`action=${encodeURIComponent('POST /v1/spaces')}`);
    assert.ok(spaceCreations.length > 0 && spaceCreations.every((i) => i.action.method === 'POST' && i.action.route === '/v1/spaces'));
    const underSpace = await get(`resource=${encodeURIComponent(`/v1/spaces/${spaceId}`)}`);
    assert.ok(underSpace.length > 0 && underSpace.every((i) => i.resource === `/v1/spaces/${spaceId}` || i.resource.startsWith(`/v1/spaces/${spaceId}/`)));
    assert.ok(underSpace.some((i) => i.resource.endsWith('/messages')), 'and below it');
    for (const outcome of ['allowed', 'denied', 'error']) {
      const items = await get(`outcome=${outcome}`);
      assert.ok(items.length > 0 && items.every((i) => i.outcome === outcome && i.phase === 'outcome'), outcome);
    }
    const both = await get('actor=alice&outcome=denied');
    assert.ok(both.every((i) => i.actor === 'alice' && i.outcome === 'denied'));
    const invalid = await call(app(), 'GET', '/v1/audit?outcome=maybe', { token: admin });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json.code, 'invalid_request');
  });

  it('GET /v1/audit filters by time, from inclusive to exclusive', async () => {
    clock.advance(24 * 3600_000);
    const t1 = clock();
    await call(app(), 'GET', '/healthz', { headers: { 'user-agent': 'window-1' } });
    clock.advance(3600_000);
    const t2 = clock();
    await call(app(), 'GET', '/healthz', { headers: { 'user-agent': 'window-2' } });
    clock.advance(3600_000);
    const t3 = clock();
    await call(app(), 'GET', '/healthz', { headers: { 'user-agent': 'window-3' } });
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    const res = await call(app(), 'GET', `/v1/audit?actor=anonymous&from=${iso(t2)}&to=${iso(t3)}`, { token: admin });
    assert.equal(res.status, 200);
    const agents = new Set((res.json.items as { client: { userAgent: string } }[]).map((i) => i.client.userAgent));
    assert.deepEqual([...agents], ['window-2']);
    const since = await call(app(), 'GET', `/v1/audit?actor=anonymous&from=${iso(t1)}`, { token: admin });
    assert.deepEqual(new Set(since.json.items.map((i: { client: { userAgent: string } }) => i.client.userAgent)), new Set(['window-1', 'window-2', 'window-3']));
  });

  it('cursor pagination walks the whole log once, newest first', async () => {
    const all = (await call(app(), 'GET', '/v1/audit?actor=alice&limit=1000', { token: admin })).json.items as { id: string }[];
    assert.ok(all.length > 5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call>> = await call(app(), 'GET', `/v1/audit?actor=alice&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: admin });
      assert.equal(page.status, 200);
      assert.ok(page.json.items.length <= 3);
      seen.push(...page.json.items.map((i: { id: string }) => i.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, all.map((i) => i.id));
    assert.deepEqual([...seen].sort((a, b) => Number(b) - Number(a)), seen, 'newest first');
    const bad = await call(app(), 'GET', '/v1/audit?cursor=bm90LWEtY3Vyc29y', { token: admin });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.field, 'cursor');
  });
});
