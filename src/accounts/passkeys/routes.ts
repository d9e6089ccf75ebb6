import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { Type } from '@sinclair/typebox';
import type { Keyring } from '../../crypto/keyring.ts';
import { GatehouseError } from '../../errors/GatehouseError.ts';
import { PROBLEM_RESPONSES } from '../../errors/responses.ts';
import { unauthenticated } from '../../pipeline/authn/index.ts';
import type { UserPrincipal } from '../../pipeline/authn/principal.ts';
import { authenticated, publicRoute } from '../../pipeline/authz/policy.ts';
import { startBrowserSession } from '../browserSession.ts';
import type { PasswordService } from '../PasswordService.ts';
import * as S from '../schemas.ts';
import type { SessionService } from '../SessionService.ts';
import type { UserRepository } from '../UserRepository.ts';
import { asAssertion, type Passkey, type PasskeyService } from './PasskeyService.ts';

export interface PasskeyRoutesDeps {
  readonly passkeys: PasskeyService;
  readonly passwords: PasswordService;
  readonly sessions: SessionService;
  readonly users: UserRepository;
  readonly keyring: Keyring;
}

const iso = (ms: number) => new Date(ms).toISOString();
const toInfo = (p: Passkey) => ({ id: p.id, name: p.name, createdAt: iso(p.createdAt), lastUsedAt: p.lastUsedAt === null ? null : iso(p.lastUsedAt), backedUp: p.backedUp });

/**
 * Passkeys: registering and removing them (MFA changes, so the user's other sessions and
 * tokens end), and passwordless browser login. As a second factor, a passkey assertion goes
 * in the `passkey` field of POST /v1/sessions or POST /v1/tokens.
 */
export function registerPasskeyRoutes(app: FastifyInstance, deps: PasskeyRoutesDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/v1/users/me/mfa/webauthn/options', {
    schema: { tags: ['accounts'], summary: 'Start registering a passkey: options for navigator.credentials.create()', response: { 200: S.CeremonyOptions, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated() },
  }, async (request) => {
    const p = request.principal as UserPrincipal;
    return deps.passkeys.registrationOptions({ id: p.userId, username: p.username });
  });

  r.post('/v1/users/me/mfa/webauthn', {
    schema: { tags: ['accounts'], summary: 'Finish registering a passkey', body: S.PasskeyRegistration, response: { 201: S.PasskeyInfo, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated() },
  }, async (request, reply) => {
    const p = request.principal as UserPrincipal;
    const { challengeId, response, name } = request.body;
    const result = await deps.passkeys.register(p.userId, { challengeId, response: response as unknown as RegistrationResponseJSON }, name ?? 'passkey');
    if (typeof result === 'string') {
      throw new GatehouseError('invalid_request', { detail: 'The passkey registration was not accepted', extras: { field: 'response' }, auditReason: `passkey: ${result}` });
    }
    await deps.passwords.endOtherCredentials(p);
    return reply.code(201).send(toInfo(result));
  });

  r.get('/v1/users/me/mfa/webauthn', {
    schema: { tags: ['accounts'], summary: 'The caller’s passkeys', response: { 200: S.PasskeyList, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated() },
  }, async (request) => ({ items: (await deps.passkeys.list((request.principal as UserPrincipal).userId)).map(toInfo) }));

  r.delete('/v1/users/me/mfa/webauthn/:passkeyId', {
    schema: { tags: ['accounts'], summary: 'Remove a passkey', params: S.PasskeyIdParams, response: { 204: Type.Null(), ...PROBLEM_RESPONSES } },
    config: { policy: authenticated() },
  }, async (request, reply) => {
    const p = request.principal as UserPrincipal;
    if (!(await deps.passkeys.remove(p.userId, request.params.passkeyId))) {
      throw new GatehouseError('not_found', { auditReason: 'passkey: not one of the caller’s' });
    }
    await deps.passwords.endOtherCredentials(p);
    return reply.code(204).send(null);
  });

  // Cookies are ignored on the login routes (credentials: bearer only), as on POST /v1/sessions.
  r.post('/v1/sessions/webauthn/options', {
    schema: { tags: ['accounts'], summary: 'Start a passkey login (or a passkey second factor): options for navigator.credentials.get()', response: { 200: S.CeremonyOptions, ...PROBLEM_RESPONSES } },
    config: { policy: publicRoute({ credentials: ['bearer'] }) },
  }, async () => deps.passkeys.authenticationOptions());

  r.post('/v1/sessions/webauthn', {
    schema: { tags: ['accounts'], summary: 'Passwordless browser login with a passkey (user verification required)', body: S.PasskeyAnswer, response: { 201: S.SessionCreated, ...PROBLEM_RESPONSES } },
    config: { policy: publicRoute({ credentials: ['bearer'] }) },
  }, async (request, reply) => {
    const result = await deps.passkeys.authenticate(asAssertion(request.body)!, { requireUserVerification: true });
    const user = result.ok ? await deps.users.findById(result.userId) : undefined;
    if (!result.ok || !user || user.disabled) {
      throw unauthenticated(result.ok ? 'passkey of a missing or disabled user' : `passkey: ${result.reason}`, undefined, 'The passkey was not accepted');
    }
    request.principal = { kind: 'user', userId: user.id, username: user.username, isAdmin: user.isAdmin, authMethod: 'passkey', credentialId: undefined, scopes: [] };
    return reply.code(201).send(await startBrowserSession(reply, deps, { userId: user.id, username: user.username }));
  });
}
