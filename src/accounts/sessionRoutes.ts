import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../clock.ts';
import { loginThrottled } from '../pipeline/ratelimit/index.ts';
import { GatehouseError } from '../errors/GatehouseError.ts';
import { PROBLEM_RESPONSES } from '../errors/responses.ts';
import { SESSION_COOKIE } from '../pipeline/authn/parseCredentials.ts';
import type { UserPrincipal } from '../pipeline/authn/principal.ts';
import { authenticated } from '../pipeline/authz/policy.ts';
import type { AccountVerifier } from './AccountVerifier.ts';
import type { PasswordService } from './PasswordService.ts';
import * as S from './schemas.ts';
import type { SessionService } from './SessionService.ts';

export interface SessionRoutesDeps {
  readonly sessions: SessionService;
  readonly passwords: PasswordService;
  readonly verifier: AccountVerifier;
  readonly clock: Clock;
}

const COOKIE_OPTIONS = { path: '/', secure: true, httpOnly: true, sameSite: 'strict' } as const;

/** The caller's sessions, the CSRF token of the current one, "sign out everywhere", and password change. */
export function registerSessionRoutes(app: FastifyInstance, deps: SessionRoutesDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/v1/sessions', {
    schema: { tags: ['accounts'], summary: 'The caller’s live browser sessions', response: { 200: S.SessionList, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated() },
  }, async (request) => {
    const p = request.principal as UserPrincipal;
    const items = await deps.sessions.listLive(p.userId, deps.clock());
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      items: items.map((s) => ({
        id: s.id, createdAt: iso(s.createdAt), lastSeenAt: iso(s.lastSeenAt), expiresAt: iso(s.expiresAt),
        current: p.authMethod === 'session' && p.credentialId === s.id,
      })),
    };
  });

  // The browser UI keeps the CSRF token only in the page's memory; after a reload the page asks for it again.
  // Safe to hand out: the session cookie is SameSite=Strict (no cross-site request carries it)
  // and another origin cannot read the answer (no CORS); script injected into our own page
  // could already send same-origin requests, so it gains nothing new.
  r.get('/v1/sessions/current/csrf', {
    schema: {
      tags: ['accounts'],
      summary: 'The CSRF token of the calling browser session (for a reloaded page)',
      response: { 200: Type.Object({ csrfToken: Type.String() }), ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated({ credentials: ['session'] }) },
  }, async (request) => {
    const p = request.principal as UserPrincipal;
    return { csrfToken: deps.verifier.csrfTokenFor(p.credentialId ?? '') };
  });

  r.delete('/v1/sessions', {
    schema: { tags: ['accounts'], summary: 'Sign out everywhere: every session of the caller ends (tokens stay)', response: { 204: Type.Null(), ...PROBLEM_RESPONSES } },
    config: { policy: authenticated() },
  }, async (request, reply) => {
    const p = request.principal as UserPrincipal;
    await deps.sessions.revokeAllForUser(p.userId);
    reply.clearCookie(SESSION_COOKIE, COOKIE_OPTIONS);
    return reply.code(204).send(null);
  });

  r.put('/v1/users/me/password', {
    schema: {
      tags: ['accounts'],
      summary: 'Change the password (needs the current one); ends every other session and token',
      body: S.PasswordChange,
      response: { 204: Type.Null(), ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated() },
  }, async (request, reply) => {
    const p = request.principal as UserPrincipal;
    // Same throttle as a login: a stolen session cannot be used to guess the password.
    const check = await deps.verifier.verifyPassword(p.username, request.body.currentPassword, { clientAddress: request.clientAddress });
    if (!check.ok) {
      if (check.retryAfterSeconds !== undefined) throw loginThrottled(`authentication: password change: ${check.reason}`, check.retryAfterSeconds);
      throw new GatehouseError('forbidden', { detail: 'The current password is wrong', extras: { field: 'currentPassword' }, auditReason: `password change: ${check.reason}` });
    }
    await deps.passwords.change(p, request.body.newPassword);
    return reply.code(204).send(null);
  });
}
