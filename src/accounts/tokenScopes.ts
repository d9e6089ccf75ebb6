import { GatehouseError } from '../errors/GatehouseError.ts';
import type { Principal, Scope } from '../pipeline/authn/principal.ts';
import type { ResourceRule } from '../pipeline/authz/policy.ts';

/** Scopes only an administrator's token may carry. */
export const ADMIN_ONLY_SCOPES: readonly Scope[] = ['admin', 'metrics'];

/** The scopes a token gets when the request names none. */
export const DEFAULT_TOKEN_SCOPES: readonly Scope[] = ['read', 'write'];

/** The requested scopes beyond what `principal` may hand to a token (pure): none for an administrator. */
export function scopesBeyondRole(principal: Principal, requested: readonly Scope[]): Scope[] {
  if (principal.kind === 'user' && principal.isAdmin) return [];
  return requested.filter((s) => ADMIN_ONLY_SCOPES.includes(s));
}

/**
 * POST /v1/tokens: a token never carries more than its owner's role allows (issue 4: the
 * policy decides, not the handler). After validation, because the scopes are in the body, and
 * after the second factor rule, so that an unfinished login is refused as such first.
 */
export const scopesWithinRole: ResourceRule = {
  description: 'the admin and metrics scopes only for administrators',
  phase: 'afterValidation',
  decide(principal, request) {
    const requested = (request.body as { scopes?: readonly Scope[] } | undefined)?.scopes ?? DEFAULT_TOKEN_SCOPES;
    if (scopesBeyondRole(principal, requested).length === 0) return { allow: true };
    return {
      allow: false,
      error: new GatehouseError('forbidden', {
        detail: 'Only administrators can issue tokens with the admin or metrics scope',
        extras: { field: 'scopes' },
        auditReason: 'authorization: admin or metrics scope requested by a non-admin',
      }),
    };
  },
};
