/** How a caller proved who they are. */
export type AuthMethod = 'none' | 'bearer' | 'session' | 'basic' | 'password' | 'passkey' | 'capability';

/**
 * Token scopes. GET/HEAD need `read`, other methods `write`, admin routes also `admin`.
 * `metrics` alone lets a scraper read /metrics and nothing else (administrators issue it).
 */
export const SCOPES = ['read', 'write', 'admin', 'metrics'] as const;
export type Scope = (typeof SCOPES)[number];

export interface UserPrincipal {
  readonly kind: 'user';
  readonly userId: string;
  readonly username: string;
  readonly isAdmin: boolean;
  readonly authMethod: 'bearer' | 'session' | 'basic' | 'password' | 'passkey';
  /** Token or session id (never its secret); undefined for a password check. */
  readonly credentialId: string | undefined;
  readonly scopes: readonly Scope[];
  /**
   * True when a password was checked for an account with a second factor that has not been
   * checked yet (HTTP Basic carries no OTP; the route reads it from the body). Such a
   * principal must not be given a session or token until the second factor passes.
   */
  readonly secondFactorPending?: boolean;
}

export interface CapabilityPrincipal {
  readonly kind: 'capability';
  readonly capabilityId: string;
  readonly spaceId: string;
  readonly permissions: readonly string[];
  readonly authMethod: 'capability';
  /** The user who minted it: a capability never outlives their authority (checked by authz). */
  readonly issuerId: string;
  readonly issuer: string;
}

export interface AnonymousPrincipal {
  readonly kind: 'anonymous';
  readonly authMethod: 'none';
}

/** Who is calling. Audit and authorization read only this. */
export type Principal = UserPrincipal | CapabilityPrincipal | AnonymousPrincipal;

export const ANONYMOUS: AnonymousPrincipal = Object.freeze({ kind: 'anonymous', authMethod: 'none' });

/** The name the audit log and rate limiter know a principal by. */
export function principalName(p: Principal): string {
  switch (p.kind) {
    case 'user':
      return p.username;
    case 'capability':
      return `capability:${p.capabilityId}`;
    case 'anonymous':
      return 'anonymous';
  }
}
