import type { Clock } from '../clock.ts';
import { GatehouseError } from '../errors/GatehouseError.ts';
import type { CredentialVerifier, PasswordCheckContext, Verification } from '../pipeline/authn/CredentialVerifier.ts';
import { SCOPES, type Scope, type UserPrincipal } from '../pipeline/authn/principal.ts';
import { loginThrottled } from '../pipeline/ratelimit/index.ts';
import type { LoginThrottle } from './login/LoginThrottle.ts';
import type { MfaService } from './mfa/MfaService.ts';
import type { CeremonyAnswer, PasskeyService } from './passkeys/PasskeyService.ts';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { hashPassword, needsRehash, verifyPasswordHash, type HashingGate } from './passwordHashing.ts';
import type { SessionService } from './SessionService.ts';
import type { TokenService } from './TokenService.ts';
import type { User, UserRepository } from './UserRepository.ts';

const ALL_SCOPES: readonly Scope[] = SCOPES;

/**
 * Checks credentials against the accounts store: the authentication stage's port.
 * Password checks pass the failed-login throttle (per account, address and range) before any
 * hash is computed, and an unknown user costs the same hash as a known one, so the answer and
 * its timing do not tell whether the account exists. A correct password for an account with
 * a second factor gives a principal marked `secondFactorPending`.
 */
export class AccountVerifier implements CredentialVerifier {
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly deps: {
      users: UserRepository;
      tokens: TokenService;
      sessions: SessionService;
      mfa: MfaService;
      passkeys: PasskeyService;
      gate: HashingGate;
      throttle: LoginThrottle;
      clock: Clock;
    },
  ) {
    this.dummyHash = hashPassword('gatehouse-dummy-password-for-unknown-users');
  }

  async verifyBearer(token: string, nowMs: number): Promise<Verification> {
    const r = await this.deps.tokens.verify(token, nowMs);
    if (!r.ok) return r;
    const scopes = r.user.isAdmin ? r.scopes : r.scopes.filter((s) => s !== 'admin' && s !== 'metrics');
    return {
      ok: true,
      principal: { kind: 'user', userId: r.user.id, username: r.user.username, isAdmin: r.user.isAdmin, authMethod: 'bearer', credentialId: r.tokenId, scopes },
    };
  }

  async verifySession(cookieValue: string, nowMs: number): Promise<Verification> {
    const r = await this.deps.sessions.verify(cookieValue, nowMs);
    if (!r.ok) return r;
    return {
      ok: true,
      principal: { kind: 'user', userId: r.user.id, username: r.user.username, isAdmin: r.user.isAdmin, authMethod: 'session', credentialId: r.sessionId, scopes: ALL_SCOPES },
    };
  }

  async verifyPassword(username: string, password: string, context: PasswordCheckContext): Promise<Verification> {
    const name = username.slice(0, 64);
    const limit = await this.deps.throttle.begin({ username, clientAddress: context.clientAddress, trustedDeviceId: context.trustedDeviceId });
    if (!limit.allowed) return { ok: false, reason: `password attempt for '${name}' refused: ${limit.reason}`, retryAfterSeconds: limit.retryAfterSeconds };
    let user: User | undefined;
    let valid: boolean;
    try {
      user = await this.deps.users.findByUsername(username);
      valid = await this.deps.gate.run(async () => verifyPasswordHash(user?.passwordHash ?? (await this.dummyHash), password));
    } catch (err) {
      // E.g. 503 from the hashing gate: no password was checked, so this was no guess. Not
      // counting it also keeps a login flood from locking real users out through their 503s.
      await this.deps.throttle.forgive(limit.ticket);
      throw err;
    }
    if (!user) return { ok: false, reason: `unknown user '${name}'` };
    if (!valid) return { ok: false, reason: `wrong password for '${user.username}'` };
    if (user.disabled) return { ok: false, reason: `user '${user.username}' is disabled` };
    await this.deps.throttle.forgive(limit.ticket);
    if (needsRehash(user.passwordHash)) {
      // The parameters changed since this hash was made: upgrade it while the password is at hand.
      const upgraded = await this.deps.gate.run(() => hashPassword(password));
      await this.deps.users.updatePasswordHash(user.id, upgraded, user.passwordHash);
    }
    const principal: UserPrincipal = {
      kind: 'user', userId: user.id, username: user.username, isAdmin: user.isAdmin, authMethod: 'basic', credentialId: undefined, scopes: ALL_SCOPES,
      ...((await this.hasSecondFactor(user.id)) ? { secondFactorPending: true } : {}),
    };
    return { ok: true, principal };
  }

  /** Whether the user has any second factor (TOTP or a passkey), so a password alone is not enough. */
  async hasSecondFactor(userId: string): Promise<boolean> {
    return (await this.deps.mfa.totpEnabled(userId)) || (await this.deps.passkeys.count(userId)) > 0;
  }

  /**
   * Completes a password login that needs a second factor: `otp` is a TOTP code or a recovery
   * code, `passkey` a WebAuthn assertion by one of the user's passkeys. Wrong codes count as failed logins (same throttle as passwords), so the 10^6 code
   * space cannot be searched either. Throws mfa_required (or rate_limited); returns the
   * principal with the second factor done.
   */
  async completeSecondFactor(principal: UserPrincipal, proof: SecondFactorProof, context: PasswordCheckContext): Promise<UserPrincipal> {
    if (!principal.secondFactorPending) return principal;
    const { otp, passkey } = proof;
    if (!otp && !passkey) throw mfaRequired(`second factor missing for '${principal.username}'`);
    const ok = await this.throttledCheck(principal, context, async () => {
      if (passkey) return (await this.deps.passkeys.authenticate(passkey, { requireUserVerification: false, expectUserId: principal.userId })).ok;
      return this.deps.mfa.verifySecondFactor(principal.userId, otp!);
    });
    if (!ok) throw mfaRequired(`wrong or used second factor for '${principal.username}'`);
    const { secondFactorPending: _done, ...rest } = principal;
    return rest;
  }

  /**
   * Runs a one-time-code check for `principal` under the failed-login throttle: refused with
   * 429 while the account (or address) must wait; a falsy result counts as a failure.
   */
  async throttledCheck<T>(principal: UserPrincipal, context: PasswordCheckContext, check: () => Promise<T>): Promise<T> {
    const limit = await this.deps.throttle.begin({ username: principal.username, clientAddress: context.clientAddress, trustedDeviceId: context.trustedDeviceId });
    if (!limit.allowed) throw rateLimited(`code check for '${principal.username}' refused: ${limit.reason}`, limit.retryAfterSeconds);
    let result: T;
    try {
      result = await check();
    } catch (err) {
      await this.deps.throttle.forgive(limit.ticket); // refused for another reason (e.g. 409): not a guess
      throw err;
    }
    if (result) await this.deps.throttle.forgive(limit.ticket);
    return result;
  }

  csrfTokenFor(sessionId: string): string {
    return this.deps.sessions.csrfTokenFor(sessionId);
  }

  checkCsrf(sessionId: string, presented: string): boolean {
    return this.deps.sessions.checkCsrf(sessionId, presented);
  }
}

/** What a login may carry as its second factor. */
export interface SecondFactorProof {
  readonly otp?: string | undefined;
  readonly passkey?: CeremonyAnswer<AuthenticationResponseJSON> | undefined;
}

/** 401 mfa_required: the password was right, the second factor is missing or wrong. */
export function mfaRequired(auditReason: string): GatehouseError {
  return new GatehouseError('mfa_required', {
    detail: 'This account needs a second factor: send a current TOTP code or a recovery code in "otp"',
    auditReason: `authentication: ${auditReason}`,
    headers: { 'www-authenticate': 'Bearer realm="gatehouse"' },
  });
}

/** 429 for the failed-login throttle, with the audit reason attributed to authentication. */
export function rateLimited(auditReason: string, retryAfterSeconds: number): GatehouseError {
  return loginThrottled(`authentication: ${auditReason}`, retryAfterSeconds);
}
