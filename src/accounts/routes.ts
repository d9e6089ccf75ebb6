import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Config } from '../config/schema.ts';
import { GatehouseError } from '../errors/GatehouseError.ts';
import { PROBLEM_RESPONSES } from '../errors/responses.ts';
import { SESSION_COOKIE } from '../pipeline/authn/parseCredentials.ts';
import { unauthenticated } from '../pipeline/authn/index.ts';
import { loginThrottled } from '../pipeline/ratelimit/index.ts';
import { nextPageLink } from '../server/keysetPage.ts';

/** Credentials and a token name fit in far less than the server-wide 1 MiB (passkey assertions included); never more than the configured limit. */
const PASSWORD_ROUTE_BODY_LIMIT = 32 * 1024;
import type { Scope, UserPrincipal } from '../pipeline/authn/principal.ts';
import { adminOnly, authenticated, publicRoute, type ResourceRule } from '../pipeline/authz/policy.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { AccountService } from './AccountService.ts';
import type { AccountVerifier, SecondFactorProof } from './AccountVerifier.ts';
import { startBrowserSession } from './browserSession.ts';
import { DEVICE_COOKIE, verifyDeviceCookie } from './login/deviceCookie.ts';
import type { MfaService } from './mfa/MfaService.ts';
import { asAssertion, type PasskeyService } from './passkeys/PasskeyService.ts';
import * as S from './schemas.ts';
import type { SessionService } from './SessionService.ts';
import type { TokenService } from './TokenService.ts';
import { decodeTokenCursor, encodeTokenCursor } from './tokenCursor.ts';
import { DEFAULT_TOKEN_SCOPES, scopesWithinRole } from './tokenScopes.ts';

export interface AccountRoutesDeps {
  readonly config: Readonly<Config>;
  readonly accounts: AccountService;
  readonly tokens: TokenService;
  readonly sessions: SessionService;
  readonly verifier: AccountVerifier;
  readonly mfa: MfaService;
  readonly passkeys: PasskeyService;
  readonly keyring: Keyring;
}

const DEFAULT_TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600;

/** Accounts, browser sessions and API tokens (API.md, "Accounts and authentication"). */
export function registerAccountRoutes(app: FastifyInstance, deps: AccountRoutesDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const ownToken: ResourceRule = {
    description: 'only the token’s owner',
    phase: 'beforeBody',
    async decide(principal, request) {
      const { tokenId } = request.params as { tokenId: string };
      if (principal.kind === 'user' && (await deps.tokens.isOwnedBy(tokenId, principal.userId))) return { allow: true };
      return { allow: false, error: new GatehouseError('not_found', { auditReason: `authorization: token ${tokenId.slice(0, 64)} is not the caller's` }) };
    },
  };

  // HTTP Basic carries no OTP: for an account with MFA the code comes in the body, and this
  // rule (after validation, before the handler) completes the login or refuses with 401
  // mfa_required. No token is issued on a password alone.
  const secondFactorForBasic: ResourceRule = {
    description: 'with HTTP Basic: the second factor in "otp" when the account has MFA',
    phase: 'afterValidation',
    async decide(principal, request) {
      if (principal.kind !== 'user' || !principal.secondFactorPending) return { allow: true };
      const body = request.body as SecondFactorProof | undefined;
      request.principal = await deps.verifier.completeSecondFactor(principal, { otp: body?.otp, passkey: asAssertion(body?.passkey) }, { clientAddress: request.clientAddress });
      return { allow: true };
    },
  };

  r.post('/v1/users', {
    schema: { tags: ['accounts'], summary: 'Register a user', body: S.RegisterBody, response: { 201: S.UserCreated, ...PROBLEM_RESPONSES } },
    config: { policy: deps.config.openRegistration ? publicRoute() : adminOnly(), rateCost: 'passwordHash' },
    bodyLimit: Math.min(PASSWORD_ROUTE_BODY_LIMIT, deps.config.bodyLimitBytes),
  }, async (request, reply) => {
    const user = await deps.accounts.register(request.body.username, request.body.password);
    return reply.code(201).send({ id: user.id, username: user.username });
  });

  r.get('/v1/users/me', {
    schema: { tags: ['accounts'], summary: 'The caller’s account', response: { 200: S.Me, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated() },
  }, async (request) => {
    const p = request.principal as UserPrincipal;
    const totp = await deps.mfa.totpEnabled(p.userId);
    return {
      id: p.userId, username: p.username, roles: p.isAdmin ? ['user', 'admin'] : ['user'], authMethod: p.authMethod,
      mfa: { totp, webauthn: await deps.passkeys.count(p.userId), ...(totp ? { recoveryCodesLeft: await deps.mfa.recoveryCodesLeft(p.userId) } : {}) },
    };
  });

  r.post('/v1/sessions', {
    schema: { tags: ['accounts'], summary: 'Browser login: sets the __Host-gh_session cookie', body: S.LoginBody, response: { 201: S.SessionCreated, ...PROBLEM_RESPONSES } },
    config: { policy: publicRoute({ credentials: ['bearer'] }), rateCost: 'passwordHash' },
    bodyLimit: Math.min(PASSWORD_ROUTE_BODY_LIMIT, deps.config.bodyLimitBytes),
  }, async (request, reply) => {
    // The credentials are in the body, so this route authenticates itself, through the same
    // verifier (and failed-login throttle) as HTTP Basic. A trusted-device cookie from an
    // earlier complete login lets this browser past an account lockout (README, "Brute force").
    const context = {
      clientAddress: request.clientAddress,
      trustedDeviceId: verifyDeviceCookie(deps.keyring, request.body.username, request.cookies?.[DEVICE_COOKIE]),
    };
    const result = await deps.verifier.verifyPassword(request.body.username, request.body.password, context);
    if (!result.ok) {
      if (result.retryAfterSeconds !== undefined) throw loginThrottled(`authentication: ${result.reason}`, result.retryAfterSeconds);
      throw unauthenticated(result.reason, undefined, 'Invalid username or password');
    }
    const user = await deps.verifier.completeSecondFactor(result.principal as UserPrincipal, { otp: request.body.otp, passkey: asAssertion(request.body.passkey) }, context);
    request.principal = { ...user, authMethod: 'password' };
    return reply.code(201).send(await startBrowserSession(reply, deps, user, context.trustedDeviceId));
  });

  r.delete('/v1/sessions/current', {
    schema: { tags: ['accounts'], summary: 'Log out: the session dies server-side', response: { 204: Type.Null(), ...PROBLEM_RESPONSES } },
    config: { policy: authenticated({ credentials: ['session'] }) },
  }, async (request, reply) => {
    const p = request.principal as UserPrincipal;
    if (p.credentialId) await deps.sessions.revoke(p.credentialId);
    reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
    return reply.code(204).send(null);
  });

  r.post('/v1/tokens', {
    schema: {
      tags: ['accounts'],
      summary: 'Issue an API token (shown once)',
      description: 'Needs a browser session or HTTP Basic with the password (plus `otp` when the account has MFA). A bearer token cannot mint tokens.',
      body: S.TokenRequest,
      response: { 201: S.TokenCreated, ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated({ credentials: ['session', 'basic'], rules: [secondFactorForBasic, scopesWithinRole] }), rateCost: 'passwordHash' },
    bodyLimit: Math.min(PASSWORD_ROUTE_BODY_LIMIT, deps.config.bodyLimitBytes),
  }, async (request, reply) => {
    const p = request.principal as UserPrincipal;
    if (p.secondFactorPending) throw new GatehouseError('internal_error', { auditReason: 'token route reached with a pending second factor' });
    const scopes: readonly Scope[] = request.body.scopes ?? DEFAULT_TOKEN_SCOPES; // scopesWithinRole allowed them
    const lifetime = Math.min(request.body.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS, deps.config.tokenMaxLifetimeSeconds);
    const { token, record } = await deps.tokens.issue(p.userId, request.body.name, scopes, lifetime);
    return reply.code(201).header('location', `/v1/tokens/${record.id}`).send({
      id: record.id, token, name: record.name, scopes: [...record.scopes], expiresAt: new Date(record.expiresAt).toISOString(),
    });
  });

  r.get('/v1/tokens', {
    schema: {
      tags: ['accounts'],
      summary: 'The caller’s tokens, never their secrets: newest first, a page at a time',
      description: 'When more tokens follow, the response has a `Link` header (RFC 8288) naming the next page: '
        + '`</v1/tokens?limit={limit}&cursor={cursor}>; rel="next"`; the last page has none. '
        + 'The cursor is opaque and only a position: every page lists the caller’s own tokens.',
      querystring: S.ListTokensQuery,
      response: { 200: S.TokenList, ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated() },
  }, async (request, reply) => {
    const p = request.principal as UserPrincipal;
    const { limit = 100, cursor } = request.query;
    const page = await deps.tokens.listForUser(p.userId, { limit, ...(cursor !== undefined ? { after: decodeTokenCursor(cursor) } : {}) });
    const last = page.items.at(-1);
    if (page.more && last) reply.header('link', nextPageLink('/v1/tokens', limit, encodeTokenCursor(last)));
    return {
      items: page.items.map((t) => ({
        id: t.id, name: t.name, scopes: [...t.scopes], createdAt: new Date(t.createdAt).toISOString(),
        expiresAt: new Date(t.expiresAt).toISOString(), revoked: t.revokedAt !== null,
      })),
    };
  });

  r.delete('/v1/tokens/:tokenId', {
    schema: { tags: ['accounts'], summary: 'Revoke a token', params: S.TokenIdParams, response: { 204: Type.Null(), ...PROBLEM_RESPONSES } },
    config: { policy: authenticated({ rules: [ownToken] }) },
  }, async (request, reply) => {
    await deps.tokens.revoke(request.params.tokenId);
    return reply.code(204).send(null);
  });
}
