import { CAPABILITY_PERMISSIONS, formatCaveat, type Caveat, type CapabilityPermission } from './caveats.ts';
import { appendCaveats } from './macaroonToken.ts';

/** How to narrow a capability. Every option only ever removes rights. */
export interface Attenuation {
  /** Keep only these permissions (e.g. ["read"] for a read-only copy). */
  readonly permissions?: readonly CapabilityPermission[];
  /** Expire this many seconds after `nowMs` (or at the token's own expiry, if earlier). */
  readonly expiresInSeconds?: number;
  /** Allow only these HTTP methods. */
  readonly methods?: readonly string[];
}

/** Thrown for an attenuation that would add nothing or is malformed. */
export class AttenuationError extends Error {
  override name = 'AttenuationError';
}

/**
 * Narrows a capability token offline, without the server's key: the macaroon's HMAC chain
 * lets anyone append a caveat, and nobody remove one. The server intersects all caveats,
 * so the result is never wider than the input. Pure apart from the time passed in.
 */
export function attenuateCapability(token: string, attenuation: Attenuation, nowMs: number): string {
  const caveats: Caveat[] = [];
  if (attenuation.permissions !== undefined) {
    if (attenuation.permissions.length === 0 || !attenuation.permissions.every((p) => CAPABILITY_PERMISSIONS.includes(p))) {
      throw new AttenuationError(`permissions must be some of: ${CAPABILITY_PERMISSIONS.join(', ')}`);
    }
    caveats.push({ kind: 'permissions', permissions: attenuation.permissions });
  }
  if (attenuation.expiresInSeconds !== undefined) {
    if (!Number.isInteger(attenuation.expiresInSeconds) || attenuation.expiresInSeconds <= 0) {
      throw new AttenuationError('expires-in must be a positive whole number of seconds');
    }
    caveats.push({ kind: 'expires', atMs: nowMs + attenuation.expiresInSeconds * 1000 });
  }
  if (attenuation.methods !== undefined) {
    if (attenuation.methods.length === 0) throw new AttenuationError('methods must not be empty');
    caveats.push({ kind: 'method', methods: attenuation.methods.map((m) => m.toUpperCase()) });
  }
  if (caveats.length === 0) throw new AttenuationError('nothing to add: give at least one restriction');
  try {
    return appendCaveats(token, caveats.map(formatCaveat));
  } catch {
    throw new AttenuationError('not a capability token');
  }
}
