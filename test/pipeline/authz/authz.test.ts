// Access control (pipeline/authz and the messaging app's rules) through the real pipeline.
// Proves: deny by default (a route without a policy stops the server from starting, both
// with the bare hook and through registerPipeline, the function buildApp uses; every route
// of the real app declares one); anonymous callers get 401 on every route that is not
// public, and the public routes are exactly the expected ones; /v1/audit is for
// administrators with the admin scope only; the space roles of API.md (non-members see 404
// on every space route, reader < member < moderator < owner, exactly one owner, anyone may
// leave, message deletion); and mass assignment (unknown body fields such as owner, role,
// isAdmin) is refused with 400 naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import type { Config } from '../../../src/config/schema.ts';
import { AuditLog } from '../../../src/audit/AuditLog.ts';
import { createMetrics } from '../../../src/operations/metrics.ts';
import { registerPipeline } from '../../../src/pipeline/index.ts';
import { MissingPolicyError, requirePolicy } from '../../../src/pipeline/authz/index.ts';
import { authenticated, publicRoute, type RoutePolicy } from '../../../src/pipeline/authz/policy.ts';
import { MemoryRateLimitStore } from '../../../src/pipeline/ratelimit/MemoryRateLimitStore.ts';
import type { CredentialVerifier } from '../../../src/pipeline/authn/CredentialVerifier.ts';
import { adminWithToken, basicAuth, call, passwordFor, userWithToken } from '../../helpers/api.ts';
import { startTestServer, testConfig, type TestServer } from '../../helpers/testServer.ts';

type Res = Awaited<ReturnType<typeof call>>;

function assertProblem(res: Res, status: number, code: string, what = ''): void {
  assert.equal(res.status, status, `${what} ${res.body}`);
  assert.equal(res.json.code, code, what);
}

describe('deny by default: a route without a policy cannot be registered', () => {
  it('the onRoute hook refuses a route without config.policy, or with an unknown audience', () => {
    const app = Fastify();
    app.addHook('onRoute', requirePolicy);
    assert.throws(() => app.get('/open', async () => 'oops'), MissingPolicyError);
    assert.throws(() => app.get('/odd', { config: { policy: { audience: 'everyone' } as unknown as RoutePolicy } }, async () => 'oops'), MissingPolicyError);
    assert.doesNotThrow(() => app.get('/fine', { config: { policy: publicRoute() } }, async () => 'ok'));
  });

  it('through registerPipeline (what buildApp uses), a plugin’s unprotected route makes ready() fail', async () => {
    const stubVerifier: CredentialVerifier = {
      verifyBearer: async () => ({ ok: false, reason: 'stub' }),
      verifySession: async () => ({ ok: false, reason: 'stub' }),
      verifyPassword: async () => ({ ok: false, reason: 'stub' }),
      csrfTokenFor: () => 'stub',
      checkCsrf: () => false,
    };
    const build = () => {
      const app = Fastify();
      registerPipeline(app, {
        config: testConfig(),
        clock: () => 0,
        rateLimitStore: new MemoryRateLimitStore(),
        verifier: stubVerifier,
        auditLog: new AuditLog({ append: async () => {} }, { error: () => {} }),
        metrics: createMetrics({ auditBuffered: () => 0 }),
      });
      return app;
    };
    const bad = build();
    bad.register(async (plugin) => {
      plugin.get('/protected', { config: { policy: authenticated() } }, async () => 'ok');
      plugin.get('/forgotten', async () => 'leak');
    });
    await assert.rejects(async () => { await bad.ready(); }, MissingPolicyError);

    const good = build();
    good.register(async (plugin) => {
      plugin.get('/protected', { config: { policy: authenticated() } }, async () => 'ok');
    });
    await good.ready();
    const res = await good.inject({ method: 'GET', url: '/protected' });
    assert.equal(res.statusCode, 401, 'and the declared policy is enforced');
    await good.close();
  });
});

describe('route policies of the real app', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    assert.ok(server.app.routes.length >= 20, 'the live route table is filled');
  });
  after(() => server.close());

  it('every route declares a policy, and the public ones are exactly the expected ones', () => {
    for (const r of server.app.routes) assert.ok(['public', 'authenticated', 'admin'].includes(r.policy.audience), `${r.method} ${r.url}`);
    const open = server.app.routes.filter((r) => r.policy.audience === 'public').map((r) => `${r.method} ${r.url}`).sort();
    assert.deepEqual(open, [
      'GET /', 'GET /assets/:file', 'GET /docs', 'GET /healthz', 'GET /openapi.json', 'GET /readyz',
      'HEAD /', 'HEAD /assets/:file', 'HEAD /docs', 'HEAD /healthz', 'HEAD /openapi.json', 'HEAD /readyz',
      'POST /v1/sessions', 'POST /v1/sessions/webauthn', 'POST /v1/sessions/webauthn/options', 'POST /v1/users',
    ]);
  });

  it('an anonymous caller gets 401 unauthenticated on every other route, before any body is read', async () => {
    const protectedRoutes = server.app.routes.filter((r) => r.policy.audience !== 'public');
    for (const r of protectedRoutes) {
      const url = r.url.replace(/:\w+/g, 'someid');
      const res = await call(server.app.fastify, r.method as 'GET', url, r.method === 'GET' || r.method === 'HEAD' ? {} : { body: { junk: true } });
      assert.equal(res.status, 401, `${r.method} ${url}: ${res.body}`);
      if (r.method !== 'HEAD') assert.equal(res.json.code, 'unauthenticated');
      assert.ok(res.headers['www-authenticate'], `${r.method} ${url}`);
    }
  });

  it('GET /v1/audit: 403 for a user, 403 insufficient_scope for an admin token without admin, 200 with it', async () => {
    const app = server.app.fastify;
    const user = await userWithToken(app, 'alice');
    assertProblem(await call(app, 'GET', '/v1/audit', { token: user.token }), 403, 'forbidden');
    const admin = await adminWithToken(app, server.app.accounts, 'root');
    const plain = await call(app, 'POST', '/v1/tokens', { headers: { authorization: basicAuth('root', passwordFor('root')) }, body: { name: 'no-admin', scopes: ['read', 'write'] } });
    assertProblem(await call(app, 'GET', '/v1/audit', { token: plain.json.token }), 403, 'insufficient_scope');
    const ok = await call(app, 'GET', '/v1/audit', { token: admin.token });
    assert.equal(ok.status, 200);
    assert.ok(Array.isArray(ok.json.items));
  });
});

describe('space roles', () => {
  let server: TestServer;
  const t: Record<string, string> = {};
  let spaceId: string;
  const app = () => server.app.fastify;
  const as = (who: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) =>
    call(app(), method, url, { token: t[who]!, ...(body === undefined ? {} : { body }) });
  const space = (rest = '') => `/v1/spaces/${spaceId}${rest}`;
  const setRole = (who: string, target: string, role: string) => as(who, 'PUT', space(`/members/${target}`), { role });
  const post = async (who: string, text: string) => {
    const res = await as(who, 'POST', space('/messages'), { text });
    assert.equal(res.status, 201, res.body);
    return res.json.id as string;
  };

  before(async () => {
    server = await startTestServer();
    for (const u of ['alice', 'mod', 'mod2', 'mem', 'rdr', 'eve', 'newbie', 'leaver']) t[u] = (await userWithToken(app(), u)).token;
    const created = await as('alice', 'POST', '/v1/spaces', { name: 'team' });
    assert.equal(created.status, 201);
    assert.equal(created.json.owner, 'alice');
    spaceId = created.json.id;
    for (const [u, role] of [['mod', 'moderator'], ['mod2', 'moderator'], ['mem', 'member'], ['rdr', 'reader'], ['leaver', 'member']]) {
      assert.equal((await setRole('alice', u!, role!)).status, 200);
    }
  });
  after(() => server.close());

  it('a non-member gets 404 on every space route, exactly as for a space that does not exist', async () => {
    const messageId = await post('alice', 'hello');
    const routes: [('GET' | 'POST' | 'PUT' | 'DELETE'), string, unknown?][] = [
      ['GET', ''], ['DELETE', ''], ['GET', '/members'], ['PUT', '/members/eve', { role: 'reader' }], ['PUT', '/members/alice', { role: 'reader' }],
      ['DELETE', '/members/alice'], ['DELETE', '/members/eve'], ['POST', '/messages', { text: 'hi' }], ['GET', '/messages'],
      ['GET', `/messages/${messageId}`], ['DELETE', `/messages/${messageId}`],
    ];
    for (const [method, rest, body] of routes) {
      const real = await as('eve', method, space(rest), body);
      assertProblem(real, 404, 'not_found', `${method} ${rest}`);
      const none = await as('eve', method, `/v1/spaces/doesnotexist${rest}`, body);
      assert.deepEqual({ ...real.json, requestId: 0 }, { ...none.json, requestId: 0 }, `${method} ${rest}`);
    }
    assert.equal((await as('alice', 'GET', space(`/messages/${messageId}`))).status, 200, 'nothing was deleted');
  });

  it('reader reads but cannot post or manage members', async () => {
    assert.equal((await as('rdr', 'GET', space())).status, 200);
    assert.equal((await as('rdr', 'GET', space('/messages'))).status, 200);
    assertProblem(await as('rdr', 'POST', space('/messages'), { text: 'hi' }), 403, 'forbidden');
    assertProblem(await setRole('rdr', 'newbie', 'reader'), 403, 'forbidden');
  });

  it('member posts but cannot add members', async () => {
    await post('mem', 'from a member');
    assertProblem(await setRole('mem', 'newbie', 'reader'), 403, 'forbidden');
    assertProblem(await setRole('mem', 'mem', 'moderator'), 403, 'forbidden', 'no self-promotion');
  });

  it('moderator manages readers and members, not moderators or the owner', async () => {
    assert.equal((await setRole('mod', 'newbie', 'reader')).status, 200);
    assert.equal((await setRole('mod', 'newbie', 'member')).status, 200);
    assertProblem(await setRole('mod', 'newbie', 'moderator'), 403, 'forbidden');
    assertProblem(await setRole('mod', 'mod2', 'member'), 403, 'forbidden', 'demote another moderator');
    assertProblem(await setRole('mod', 'mod', 'owner'), 403, 'forbidden', 'seize ownership');
    assertProblem(await as('mod', 'DELETE', space('/members/mod2')), 403, 'forbidden');
    assert.equal((await as('mod', 'DELETE', space('/members/newbie'))).status, 204);
    assertProblem(await as('newbie', 'GET', space()), 404, 'not_found', 'removed members no longer see the space');
  });

  it('owner manages moderators', async () => {
    assert.equal((await setRole('alice', 'newbie', 'moderator')).status, 200);
    assert.equal((await as('alice', 'DELETE', space('/members/newbie'))).status, 204);
  });

  it('nobody can remove the owner, not even the owner (409 conflict)', async () => {
    assertProblem(await as('mod', 'DELETE', space('/members/alice')), 409, 'conflict');
    assertProblem(await as('alice', 'DELETE', space('/members/alice')), 409, 'conflict');
    assertProblem(await setRole('alice', 'alice', 'member'), 409, 'conflict');
    const members = (await as('alice', 'GET', space('/members'))).json as { username: string; role: string }[];
    assert.deepEqual(members.filter((m) => m.role === 'owner').map((m) => m.username), ['alice']);
  });

  it('anyone can leave', async () => {
    assert.equal((await as('leaver', 'DELETE', space('/members/leaver'))).status, 204);
    assertProblem(await as('leaver', 'GET', space()), 404, 'not_found');
  });

  it('authors delete their own messages, members not others’, moderators any', async () => {
    const own = await post('mem', 'mine');
    assert.equal((await as('mem', 'DELETE', space(`/messages/${own}`))).status, 204);
    const others = await post('alice', 'the owner’s');
    assertProblem(await as('mem', 'DELETE', space(`/messages/${others}`)), 403, 'forbidden');
    assertProblem(await as('rdr', 'DELETE', space(`/messages/${others}`)), 403, 'forbidden');
    assert.equal((await as('mod', 'DELETE', space(`/messages/${others}`))).status, 204);
    assertProblem(await as('alice', 'GET', space(`/messages/${others}`)), 404, 'not_found');
  });

  it('the owner hands ownership over: exactly one owner afterwards, the old one a moderator', async () => {
    assert.equal((await setRole('alice', 'mod', 'owner')).status, 200);
    const members = (await as('mod', 'GET', space('/members'))).json as { username: string; role: string }[];
    assert.deepEqual(members.filter((m) => m.role === 'owner').map((m) => m.username), ['mod']);
    assert.equal(members.find((m) => m.username === 'alice')?.role, 'moderator');
    assert.equal((await as('alice', 'GET', space())).json.owner, 'mod');
    assertProblem(await as('alice', 'DELETE', space()), 403, 'forbidden', 'the old owner cannot delete the space');
    assert.equal((await as('mod', 'DELETE', space())).status, 204);
    assertProblem(await as('mod', 'GET', space()), 404, 'not_found');
  });
});

describe('mass assignment: fields the caller may not set are refused, by name', () => {
  let server: TestServer;
  let token: string;
  const app = () => server.app.fastify;

  before(async () => {
    server = await startTestServer();
    token = (await userWithToken(app(), 'alice')).token;
  });
  after(() => server.close());

  it('POST /v1/spaces with an owner', async () => {
    const res = await call(app(), 'POST', '/v1/spaces', { token, body: { name: 'x', owner: 'bob' } });
    assertProblem(res, 400, 'invalid_request');
    assert.equal(res.json.field, 'owner');
    assert.deepEqual((await call(app(), 'GET', '/v1/spaces', { token })).json.items, [], 'no space was created');
  });

  it('POST /v1/users with a role or isAdmin', async () => {
    for (const [field, value] of [['role', 'admin'], ['isAdmin', true], ['is_admin', 1], ['roles', ['admin']]] as const) {
      const res = await call(app(), 'POST', '/v1/users', { body: { username: 'mallory', password: passwordFor('mallory'), [field]: value } });
      assertProblem(res, 400, 'invalid_request', field);
      assert.equal(res.json.field, field);
    }
    assert.equal((await call(app(), 'POST', '/v1/users', { body: { username: 'mallory', password: passwordFor('mallory') } })).status, 201, 'mallory was never created');
  });

  it('messages, members and tokens refuse extra fields too', async () => {
    const spaceId = (await call(app(), 'POST', '/v1/spaces', { token, body: { name: 'y' } })).json.id;
    const cases: [('POST' | 'PUT'), string, Record<string, unknown>, string, Record<string, string>?][] = [
      ['POST', `/v1/spaces/${spaceId}/messages`, { text: 'hi', author: 'bob' }, 'author'],
      ['PUT', `/v1/spaces/${spaceId}/members/alice`, { role: 'owner', userId: 'x' }, 'userId'],
      ['POST', '/v1/tokens', { name: 'x', userId: 'someone-else' }, 'userId', { authorization: basicAuth('alice', passwordFor('alice')) }],
    ];
    for (const [method, url, body, field, headers] of cases) {
      const res = await call(app(), method, url, headers ? { headers, body } : { token, body });
      assertProblem(res, 400, 'invalid_request', url);
      assert.equal(res.json.field, field);
    }
  });
});
