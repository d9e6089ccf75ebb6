import type { Principal } from './principal.ts';

/** A verified principal, or the precise reason for the audit log (never shown to the client). */
export type Verification =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: string; readonly retryAfterSeconds?: number };

/** Context of a password check: who is asking, for limits and the audit log. */
export interface PasswordCheckContext {
  readonly clientAddress: string;
  /** Id from a valid trusted-device cookie for this user (browser logins), if any. */
  readonly trustedDeviceId?: string | undefined;
}

/**
 * The port through which the authentication stage checks credentials. Implemented by the
 * accounts module; the stage knows nothing about how credentials are stored.
 */
export interface CredentialVerifier {
  verifyBearer(token: string, nowMs: number): Promise<Verification>;
  verifySession(cookieValue: string, nowMs: number): Promise<Verification>;
  verifyPassword(username: string, password: string, context: PasswordCheckContext): Promise<Verification>;
  /** The CSRF token bound to a session, under the current key (handed to the browser). */
  csrfTokenFor(sessionId: string): string;
  /** Whether a presented CSRF token is the session's, under any key still in the keyring (constant-time). */
  checkCsrf(sessionId: string, presented: string): boolean;
}
