// Deny by default for second factors: whatever route accepts HTTP Basic, a principal whose
// password was right but whose second factor is still pending never reaches the handler,
// unless one of the route's rules completed the second factor.
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { describe, it } from 'node:test';
import type { UserPrincipal } from '../../src/pipeline/authn/principal.ts';
import { authorizationStage } from '../../src/pipeline/authz/index.ts';
import { authenticated, type ResourceRule } from '../../src/pipeline/authz/policy.ts';
import { GatehouseError } from '../../src/errors/GatehouseError.ts';

const pending: UserPrincipal = {
  kind: 'user', userId: 'u1', username: 'alice', isAdmin: false, authMethod: 'basic', credentialId: undefined, scopes: ['read', 'write'], secondFactorPending: true,
};

function request(rules: ResourceRule[] = []): FastifyRequest {
  return { routeOptions: { config: { policy: authenticated({ credentials: ['basic'], rules }) } }, is404: false, principal: pending, access: {} } as unknown as FastifyRequest;
}

describe('second-factor guard in authorization', () => {
  it('refuses a pending second factor with 401 mfa_required on a route that forgot to check it', async () => {
    await assert.rejects(authorizationStage().afterValidation(request()), (err: unknown) => err instanceof GatehouseError && err.code === 'mfa_required');
  });

  it('lets the request through once a rule completed the second factor', async () => {
    const completes: ResourceRule = {
      description: 'completes the second factor', phase: 'afterValidation',
      decide(_p, req) {
        const { secondFactorPending: _done, ...rest } = req.principal as UserPrincipal;
        req.principal = rest;
        return { allow: true };
      },
    };
    const req = request([completes]);
    await authorizationStage().afterValidation(req);
    assert.equal((req.principal as UserPrincipal).secondFactorPending, undefined);
  });
});
