// Which scopes a user may put on a token is a policy decision (issue 4: handlers never check
// permissions themselves): the pure rule, exhaustively, and the route declaring it, so that
// POST /v1/tokens refuses the admin and metrics scopes to a non-administrator before its
// handler runs, whichever login path is used.
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { after, before, describe, it } from 'node:test';
import { scopesBeyondRole, scopesWithinRole } from '../../src/accounts/tokenScopes.ts';
import { ANONYMOUS, SCOPES, type Principal, type Scope, type UserPrincipal } from '../../src/pipeline/authn/principal.ts';
import { basicAuth, call, passwordFor } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const user = (isAdmin: boolean): UserPrincipal =>
  ({ kind: 'user', userId: 'u1', username: 'u', isAdmin, authMethod: 'basic', credentialId: undefined, scopes: [] });
const subsets = (xs: readonly Scope[]): Scope[][] => xs.reduce<Scope[][]>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]);

describe('token scopes: the rule', () => {
  it('an administrator may request every combination of scopes', () => {
    for (const s of subsets(SCOPES)) assert.deepEqual(scopesBeyondRole(user(true), s), [], s.join(','));
  });

  it('anyone else is refused exactly the admin and metrics scopes', () => {
    const capability: Principal = { kind: 'capability', capabilityId: 'c', spaceId: 's', permissions: ['read'], authMethod: 'capability', issuerId: 'u1', issuer: 'u' };
    for (const p of [user(false), ANONYMOUS, capability]) {
      for (const s of subsets(SCOPES)) assert.deepEqual(scopesBeyondRole(p, s), s.filter((x) => x === 'admin' || x === 'metrics'), `${p.kind} ${s.join(',')}`);
    }
  });

  it('decides on the validated body, and with no scopes named on the defaults (read, write)', async () => {
    const decide = (p: Principal, body: unknown) => scopesWithinRole.decide(p, { body } as FastifyRequest);
    assert.equal(scopesWithinRole.phase, 'afterValidation');
    assert.equal((await decide(user(false), { name: 'x' })).allow, true);
    assert.equal((await decide(user(false), { name: 'x', scopes: ['read'] })).allow, true);
    const refused = await decide(user(false), { name: 'x', scopes: ['metrics'] });
    assert.equal(refused.allow, false);
    if (!refused.allow) {
      assert.equal(refused.error.code, 'forbidden');
      assert.equal(refused.error.status, 403);
    }
    assert.equal((await decide(user(true), { name: 'x', scopes: ['admin', 'metrics'] })).allow, true);
  });
});

describe('token scopes: POST /v1/tokens', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await server.app.accounts.register('root', passwordFor('root'), { isAdmin: true });
    await server.app.accounts.register('plain', passwordFor('plain'), { isAdmin: false });
  });
  after(() => server.close());
  const issue = (username: string, scopes: Scope[]) =>
    call(server.app.fastify, 'POST', '/v1/tokens', { headers: { authorization: basicAuth(username, passwordFor(username)) }, body: { name: 'x', scopes } });

  it('declares the rule in the route’s policy (shown in the OpenAPI document)', async () => {
    const spec = (await call(server.app.fastify, 'GET', '/openapi.json')).json;
    assert.match(spec.paths['/v1/tokens'].post['x-gatehouse-policy'], new RegExp(scopesWithinRole.description));
  });

  it('refuses admin or metrics to a non-administrator: 403 forbidden on "scopes", and no token is stored', async () => {
    for (const scopes of [['admin'], ['metrics'], ['read', 'metrics']] as Scope[][]) {
      const res = await issue('plain', scopes);
      assert.equal(res.status, 403, scopes.join(','));
      assert.equal(res.json.code, 'forbidden');
      assert.equal(res.json.field, 'scopes');
      assert.equal(res.json.token, undefined);
    }
    assert.equal((await server.database.db.selectFrom('api_tokens').select('id').execute()).length, 0);
    assert.equal((await issue('plain', ['read', 'write'])).status, 201);
  });

  it('gives an administrator the admin and metrics scopes', async () => {
    const res = await issue('root', ['read', 'write', 'admin', 'metrics']);
    assert.equal(res.status, 201, res.body);
    assert.deepEqual(res.json.scopes, ['read', 'write', 'admin', 'metrics']);
  });
});
