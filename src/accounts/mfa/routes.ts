import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { GatehouseError } from '../../errors/GatehouseError.ts';
import { PROBLEM_RESPONSES } from '../../errors/responses.ts';
import type { UserPrincipal } from '../../pipeline/authn/principal.ts';
import { authenticated } from '../../pipeline/authz/policy.ts';
import type { AccountVerifier } from '../AccountVerifier.ts';
import type { PasswordService } from '../PasswordService.ts';
import * as S from '../schemas.ts';
import type { MfaService } from './MfaService.ts';

export interface MfaRoutesDeps {
  readonly mfa: MfaService;
  readonly verifier: AccountVerifier;
  readonly passwords: PasswordService;
}

/** TOTP enrolment, confirmation and removal (API.md). Changing MFA ends the user's other sessions and tokens. */
export function registerMfaRoutes(app: FastifyInstance, deps: MfaRoutesDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const context = (request: FastifyRequest) => ({ clientAddress: request.clientAddress });

  r.post('/v1/users/me/mfa/totp', {
    schema: { tags: ['accounts'], summary: 'Start TOTP enrolment: a secret, its otpauth URI and a QR code', response: { 200: S.TotpEnrolment, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated() },
  }, async (request) => {
    const p = request.principal as UserPrincipal;
    return deps.mfa.startTotpEnrolment(p.userId, p.username);
  });

  r.post('/v1/users/me/mfa/totp/confirm', {
    schema: {
      tags: ['accounts'],
      summary: 'Confirm TOTP with a first code: MFA is on from now, and ten recovery codes are returned once',
      body: S.CodeBody,
      response: { 200: S.RecoveryCodes, ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated() },
  }, async (request) => {
    const p = request.principal as UserPrincipal;
    const codes = await deps.verifier.throttledCheck(p, context(request), () => deps.mfa.confirmTotp(p.userId, request.body.code));
    if (!codes) throw invalidCode('mfa: wrong TOTP code at confirmation');
    await deps.passwords.endOtherCredentials(p);
    return { recoveryCodes: codes };
  });

  r.delete('/v1/users/me/mfa/totp', {
    schema: {
      tags: ['accounts'],
      summary: 'Turn TOTP off: needs a current code (or an unused recovery code)',
      body: S.CodeBody,
      response: { 204: Type.Null(), ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated() },
  }, async (request, reply) => {
    const p = request.principal as UserPrincipal;
    if (!(await deps.mfa.totpEnabled(p.userId))) throw new GatehouseError('not_found', { detail: 'TOTP is not on', auditReason: 'mfa: disable while TOTP is off' });
    if (!(await deps.verifier.throttledCheck(p, context(request), () => deps.mfa.disableTotp(p.userId, request.body.code)))) {
      throw invalidCode('mfa: wrong code when turning TOTP off');
    }
    await deps.passwords.endOtherCredentials(p);
    return reply.code(204).send(null);
  });
}

function invalidCode(auditReason: string): GatehouseError {
  return new GatehouseError('invalid_code', { extras: { field: 'code' }, auditReason });
}
