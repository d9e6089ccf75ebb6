import type { FastifyRequest } from 'fastify';
import type { GatehouseError } from '../../errors/GatehouseError.ts';
import type { AuthMethod, Principal, Scope } from '../authn/principal.ts';

/** The outcome of a resource rule: allowed (with what it learned), or an error to answer. */
export type Decision =
  | { readonly allow: true; readonly access?: Readonly<Record<string, unknown>> }
  | { readonly allow: false; readonly error: GatehouseError };

/** A rule about a particular resource, e.g. "caller is at least a member of :spaceId". */
export interface ResourceRule {
  /** Shown in the OpenAPI document and /docs. */
  readonly description: string;
  /**
   * `beforeBody` rules run before the request body is read; `afterValidation` rules see the
   * validated body (for decisions that depend on it, e.g. which role is being granted).
   */
  readonly phase: 'beforeBody' | 'afterValidation';
  decide(principal: Principal, request: FastifyRequest): Decision | Promise<Decision>;
}

/**
 * The access policy every route declares where it is registered (deny by default: a route
 * without one stops the server from starting).
 */
export interface RoutePolicy {
  /** public: anyone; authenticated: any logged-in user (or capability if accepted); admin: administrators. */
  readonly audience: 'public' | 'authenticated' | 'admin';
  /** Credential kinds this route accepts. Basic (a password hash per request) only where listed. */
  readonly credentials: readonly Exclude<AuthMethod, 'none' | 'password' | 'passkey'>[];
  /** Extra rules about the addressed resource, evaluated in order. */
  readonly rules: readonly ResourceRule[];
  /** Instead of the scopes derived from the method: any one of these suffices. */
  readonly anyOfScopes?: readonly Scope[];
}

const DEFAULT_CREDENTIALS = ['bearer', 'session'] as const;

/**
 * Anyone, logged in or not. `credentials` narrows what the route looks at: a route that lists
 * no `session` ignores a session cookie (e.g. the login route: a stale or planted cookie must
 * neither block a login nor be adopted by it).
 */
export function publicRoute(options: { credentials?: RoutePolicy['credentials'] } = {}): RoutePolicy {
  return { audience: 'public', credentials: options.credentials ?? DEFAULT_CREDENTIALS, rules: [] };
}

/** Any authenticated user, plus the given rules. */
export function authenticated(
  options: { credentials?: RoutePolicy['credentials']; rules?: readonly ResourceRule[] } = {},
): RoutePolicy {
  return {
    audience: 'authenticated',
    credentials: options.credentials ?? DEFAULT_CREDENTIALS,
    rules: options.rules ?? [],
  };
}

/** Administrators only; `anyOfScopes` replaces the scopes derived from the method. */
export function adminOnly(options: { anyOfScopes?: readonly Scope[] } = {}): RoutePolicy {
  return { audience: 'admin', credentials: DEFAULT_CREDENTIALS, rules: [], ...(options.anyOfScopes ? { anyOfScopes: options.anyOfScopes } : {}) };
}

/** The scopes of `held` that fail the policy for this method: empty when the token may call. */
export function missingScopes(method: string, policy: RoutePolicy, held: readonly Scope[]): Scope[] {
  if (policy.anyOfScopes) return policy.anyOfScopes.some((s) => held.includes(s)) ? [] : [...policy.anyOfScopes];
  return requiredScopes(method, policy).filter((s) => !held.includes(s));
}

/** The scopes a token needs (all of them) for this method on this policy, unless it lists anyOfScopes. */
export function requiredScopes(method: string, policy: RoutePolicy): Scope[] {
  if (policy.anyOfScopes) return [...policy.anyOfScopes];
  const scopes: Scope[] = [method === 'GET' || method === 'HEAD' ? 'read' : 'write'];
  if (policy.audience === 'admin') scopes.push('admin');
  return scopes;
}

/** One line describing the policy, for the OpenAPI document. */
export function describePolicy(policy: RoutePolicy): string {
  const who =
    policy.audience === 'public' ? 'Public' : policy.audience === 'admin' ? 'Administrators' : 'Authenticated';
  const rules = policy.rules.map((r) => r.description);
  return [who, ...rules].join('; ') + `. Credentials: ${policy.credentials.join(', ')}.`;
}
