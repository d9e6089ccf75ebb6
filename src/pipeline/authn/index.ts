import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../clock.ts';
import { GatehouseError } from '../../errors/GatehouseError.ts';
import type { RoutePolicy } from '../authz/policy.ts';
import { loginThrottled } from '../ratelimit/index.ts';
import type { CapabilityVerifier } from './CapabilityVerifier.ts';
import type { CredentialVerifier, Verification } from './CredentialVerifier.ts';
import { parseCredentials, SESSION_COOKIE } from './parseCredentials.ts';

export interface AuthnDeps {
  readonly verifier: CredentialVerifier;
  readonly clock: Clock;
  /** Checks capability tokens; absent: they are refused. */
  readonly capabilities?: CapabilityVerifier;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Stage 3, authentication: turns the presented credential into `request.principal`.
 * No credential leaves the caller anonymous (authorization decides if that is enough);
 * a credential that fails is a 401 at once, with one generic message for every reason.
 * HTTP Basic is checked only on routes whose policy lists it: a password hash on every
 * request would be a denial-of-service vector.
 */
export function authenticationStage(deps: AuthnDeps) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const policy = request.routeOptions.config.policy;
    const presented = parseCredentials(request.headers.authorization, request.cookies?.[SESSION_COOKIE]);
    let result: Verification;
    switch (presented.kind) {
      case 'none':
        return;
      case 'malformed':
        throw unauthenticated(presented.reason, policy);
      case 'bearer':
        result = await deps.verifier.verifyBearer(presented.token, deps.clock());
        break;
      case 'session':
        // Browsers send cookies by themselves: a public route that does not use sessions ignores them.
        if (!policy || (policy.audience === 'public' && !policy.credentials.includes('session'))) return;
        result = await deps.verifier.verifySession(presented.cookie, deps.clock());
        break;
      case 'basic':
        if (!policy?.credentials.includes('basic')) {
          throw unauthenticated('HTTP Basic presented on a route that does not accept it', policy, 'This route does not accept HTTP Basic; use a bearer token');
        }
        result = await deps.verifier.verifyPassword(presented.username, presented.password, {
          clientAddress: request.clientAddress,
        });
        break;
      case 'capability':
        if (!deps.capabilities) throw unauthenticated('capability tokens are not accepted by this server', policy);
        result = await deps.capabilities.verifyCapability(presented.token, { nowMs: deps.clock(), method: request.method });
        break;
    }
    if (!result.ok) {
      if (result.retryAfterSeconds !== undefined) throw loginThrottled(`authentication: ${result.reason}`, result.retryAfterSeconds);
      throw unauthenticated(result.reason, policy);
    }
    request.principal = result.principal;
    if (result.principal.kind === 'user' && result.principal.authMethod === 'session' && !SAFE_METHODS.has(request.method)) {
      const sessionId = result.principal.credentialId ?? '';
      checkCsrf(request, (presented) => deps.verifier.checkCsrf(sessionId, presented));
    }
  };
}

/**
 * A cookie-borne request that changes state must prove it came from our own page: the
 * X-CSRF-Token bound to the session, and no cross-site Origin (second line of defence).
 */
function checkCsrf(request: FastifyRequest, isSessionToken: (presented: string) => boolean): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new GatehouseError('csrf_failed', { auditReason: `csrf: Sec-Fetch-Site is ${site}` });
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, request.headers.host)) {
    throw new GatehouseError('csrf_failed', { auditReason: `csrf: Origin ${origin.slice(0, 100)} is not this server` });
  }
  const presented = request.headers['x-csrf-token'];
  if (typeof presented !== 'string' || !isSessionToken(presented)) {
    throw new GatehouseError('csrf_failed', { auditReason: presented ? 'csrf: wrong token' : 'csrf: token missing' });
  }
}

/** Whether a browser's Origin header names this server (https and the Host it addressed); "null" never does. */
export function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (!host || !URL.canParse(origin)) return false;
  const url = new URL(origin);
  return url.protocol === 'https:' && url.host === host.toLowerCase() && origin === url.origin;
}

/** 401 with WWW-Authenticate naming the schemes the route accepts. */
export function unauthenticated(auditReason: string, policy: RoutePolicy | undefined, detail?: string): GatehouseError {
  const challenges = ['Bearer realm="gatehouse"'];
  if (policy?.credentials.includes('basic')) challenges.push('Basic realm="gatehouse", charset="UTF-8"');
  if (policy?.credentials.includes('capability')) challenges.push('Capability realm="gatehouse"');
  return new GatehouseError('unauthenticated', {
    detail: detail ?? 'Missing or invalid credentials',
    auditReason: `authentication: ${auditReason}`,
    headers: { 'www-authenticate': challenges.join(', ') },
  });
}
