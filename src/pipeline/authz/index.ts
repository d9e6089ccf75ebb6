import type { FastifyRequest, RouteOptions } from 'fastify';
import { GatehouseError } from '../../errors/GatehouseError.ts';
import { unauthenticated } from '../authn/index.ts';
import { missingScopes, type ResourceRule, type RoutePolicy } from './policy.ts';

/** Thrown at registration when a route has no policy: the server refuses to start. */
export class MissingPolicyError extends Error {
  override name = 'MissingPolicyError';
}

/** onRoute hook: deny by default, enforced when routes are registered, not when called. */
export function requirePolicy(route: RouteOptions): void {
  const policy = (route.config as { policy?: RoutePolicy } | undefined)?.policy;
  if (!policy || !['public', 'authenticated', 'admin'].includes(policy.audience)) {
    const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
    throw new MissingPolicyError(`Route ${methods} ${route.url} has no access policy (config.policy); refusing to start`);
  }
}

/**
 * Stage 5, access control. `beforeBody` runs in onRequest (after audit recorded the
 * attempt): audience, credential kind, token scope, then the route's resource rules.
 * `afterValidation` runs the rules that need the validated body. Handlers receive an
 * authorized principal and the rules' findings in `request.access`.
 */
export function authorizationStage() {
  return {
    async beforeBody(request: FastifyRequest): Promise<void> {
      if (request.is404) return; // unknown routes answer 404 to everyone
      const policy = request.routeOptions.config.policy;
      if (!policy) throw new GatehouseError('internal_error', { auditReason: 'route without policy reached authorization' });
      if (policy.audience === 'public') return runRules(request, policy, 'beforeBody');
      const principal = request.principal;
      if (principal.kind === 'anonymous') throw unauthenticated('no credentials on a protected route', policy);
      if (!(policy.credentials as readonly string[]).includes(principal.authMethod)) {
        throw unauthenticated(`${principal.authMethod} credentials not accepted on this route`, policy,
          `This route accepts: ${policy.credentials.join(', ')}`);
      }
      if (principal.kind === 'user') {
        if (policy.audience === 'admin' && !principal.isAdmin) {
          throw new GatehouseError('forbidden', { auditReason: 'authorization: administrators only' });
        }
        const missing = missingScopes(request.method, policy, principal.scopes);
        if (missing.length > 0) {
          throw new GatehouseError('insufficient_scope', {
            detail: `The credential lacks the scope: ${missing.join(policy.anyOfScopes ? ' or ' : ', ')}`,
            auditReason: `authorization: token lacks scope ${missing.join(', ')}`,
          });
        }
      } else if (policy.audience === 'admin') {
        throw new GatehouseError('forbidden', { auditReason: 'authorization: capabilities cannot use admin routes' });
      }
      await runRules(request, policy, 'beforeBody');
    },
    async afterValidation(request: FastifyRequest): Promise<void> {
      const policy = request.routeOptions.config.policy;
      if (policy && !request.is404) await runRules(request, policy, 'afterValidation');
      // Deny by default: a password whose account needs a second factor reaches no handler
      // unless a rule of the route completed the second factor.
      if (request.principal?.kind === 'user' && request.principal.secondFactorPending) {
        throw new GatehouseError('mfa_required', {
          auditReason: 'authorization: second factor not completed',
          headers: { 'www-authenticate': 'Bearer realm="gatehouse"' },
        });
      }
    },
  };
}

async function runRules(request: FastifyRequest, policy: RoutePolicy, phase: ResourceRule['phase']): Promise<void> {
  for (const rule of policy.rules) {
    if (rule.phase !== phase) continue;
    const decision = await rule.decide(request.principal, request);
    if (!decision.allow) throw decision.error;
    if (decision.access) request.access = { ...request.access, ...decision.access };
  }
}
