import type { ControlDeclaration } from '../../threatmodel/control.ts';

/** Controls of stage 3 (authentication), named by the threat register. */
export const CONTROLS: readonly ControlDeclaration[] = [
  { id: 'password-argon2id', title: 'Passwords checked against argon2id hashes; unknown users cost the same', implementedIn: ['src/accounts/AccountVerifier.ts', 'src/accounts/passwordHashing.ts'] },
  { id: 'session-cookie', title: '__Host- session cookie (HttpOnly, Secure, SameSite=Strict), only a hash stored, new id at login', implementedIn: ['src/accounts/SessionService.ts', 'src/accounts/browserSession.ts'] },
  { id: 'csrf-token', title: 'State changes with a session need the session\'s CSRF token and no cross-site fetch', implementedIn: ['src/pipeline/authn/CredentialVerifier.ts', 'src/accounts/AccountVerifier.ts'] },
  { id: 'hashed-api-tokens', title: 'API tokens id.secret, only a hash stored, scoped, expiring, revocable', implementedIn: ['src/accounts/TokenService.ts'] },
  { id: 'second-factor', title: 'TOTP (replay-protected), recovery codes and passkeys as a second factor', implementedIn: ['src/accounts/mfa/MfaService.ts', 'src/accounts/passkeys/PasskeyService.ts'] },
  { id: 'uniform-auth-failure', title: 'Every authentication failure answers the same 401; the reason goes to the audit log', implementedIn: ['src/pipeline/authn/index.ts'] },
  { id: 'capability-macaroons', title: 'Capabilities are MAC-verified macaroons: attenuable offline, never widened', implementedIn: ['src/pipeline/authn/CapabilityVerifier.ts', 'src/capabilities/CapabilityService.ts', 'src/capabilities/caveats.ts'] },
];
