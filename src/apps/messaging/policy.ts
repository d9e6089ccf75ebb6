import type { CapabilityPermission } from '../../capabilities/caveats.ts';

/**
 * The messaging application's access rules, as pure functions (the one policy module:
 * routes refer to these through accessRules.ts; handlers never compare roles).
 * Roles in a space, each including the ones before: reader < member < moderator < owner.
 */
export const ROLES = ['reader', 'member', 'moderator', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

export type RuleVerdict = 'allow' | 'deny' | 'conflict';

/**
 * May `actor` give `target` (currently `current`, or not a member) the role `next`?
 * Moderators manage readers and members; only the owner manages moderators and hands on
 * ownership. The owner cannot step down except by handing ownership to someone else
 * (a space always has exactly one owner): that is a conflict, not a permission question.
 */
export function canAssignRole(actor: Role, actorIsTarget: boolean, current: Role | undefined, next: Role): RuleVerdict {
  if (actorIsTarget && actor === 'owner') return next === 'owner' ? 'allow' : 'conflict';
  if (actor === 'owner') return 'allow';
  if (actor === 'moderator') {
    const manages = (r: Role | undefined) => r === undefined || r === 'reader' || r === 'member';
    return manages(current) && manages(next) ? 'allow' : 'deny';
  }
  return 'deny';
}

/** May `actor` remove `target` (role `targetRole`) from the space? Anyone may leave, except the owner. */
export function canRemoveMember(actor: Role, actorIsTarget: boolean, targetRole: Role): RuleVerdict {
  if (targetRole === 'owner') return 'conflict';
  if (actorIsTarget) return 'allow';
  if (actor === 'owner') return 'allow';
  if (actor === 'moderator') return targetRole === 'reader' || targetRole === 'member' ? 'allow' : 'deny';
  return 'deny';
}

/** A message may be deleted by its author (if still a member) or by a moderator or the owner. */
export function canDeleteMessage(actor: Role, actorIsAuthor: boolean): boolean {
  return actorIsAuthor || roleAtLeast(actor, 'moderator');
}

// ---- Capabilities (capability-based access control) ----

/** The capability permissions a role holds itself: a capability never grants more than its issuer. */
export function permissionsOfRole(role: Role): CapabilityPermission[] {
  return roleAtLeast(role, 'member') ? ['read', 'post'] : ['read'];
}

/**
 * May a member with `role` (undefined: not a member) mint, or keep alive, a capability
 * granting `permissions`? Moderators and the owner share the space; and only what they hold.
 * Checked at minting and again on every use, so a demoted or removed issuer's links die.
 */
export function mayIssueCapability(role: Role | undefined, permissions: readonly CapabilityPermission[]): boolean {
  if (!role || !roleAtLeast(role, 'moderator')) return false;
  const held = permissionsOfRole(role);
  return permissions.length > 0 && permissions.every((p) => held.includes(p));
}

/**
 * May a capability (for `capability.spaceId`, with `permissions`) do what needs `needed` in
 * `spaceId`, its issuer now having `issuerRole` there? Another space is invisible (404);
 * an issuer without the authority any more makes the token dead (401).
 */
export function capabilityVerdict(
  capability: { spaceId: string; permissions: readonly string[] },
  spaceId: string,
  needed: CapabilityPermission,
  issuerRole: Role | undefined,
): 'allow' | 'not_visible' | 'dead' | 'deny' {
  if (capability.spaceId !== spaceId) return 'not_visible';
  const permissions = capability.permissions.filter((p): p is CapabilityPermission => p === 'read' || p === 'post');
  if (!mayIssueCapability(issuerRole, permissions)) return 'dead';
  return permissions.includes(needed) ? 'allow' : 'deny';
}

// ---- Contacts (the chapter's friendship rule) ----

export type ContactState = 'none' | 'pending' | 'connected';

/** Two users are connected once each has asked for (or accepted) the other. */
export function contactState(askedByMe: boolean, askedByThem: boolean): ContactState {
  if (askedByMe && askedByThem) return 'connected';
  return askedByMe || askedByThem ? 'pending' : 'none';
}

/** Users may send direct messages only to users in their friendship group (§1.5.3). */
export function mayMessageDirectly(state: ContactState): boolean {
  return state === 'connected';
}
