import type { FastifyRequest } from 'fastify';
import type { UserRepository } from '../../accounts/UserRepository.ts';
import { GatehouseError } from '../../errors/GatehouseError.ts';
import type { Principal } from '../../pipeline/authn/principal.ts';
import type { Decision, ResourceRule } from '../../pipeline/authz/policy.ts';
import type { MessageRepository } from './MessageRepository.ts';
import type { CapabilityPermission } from '../../capabilities/caveats.ts';
import { unauthenticated } from '../../pipeline/authn/index.ts';
import { canAssignRole, canDeleteMessage, canRemoveMember, capabilityVerdict, roleAtLeast, type Role, type RuleVerdict } from './policy.ts';
import type { SpaceRepository } from './SpaceRepository.ts';

/** What the space rule tells the handler (for a capability caller only `spaceId`: it has permissions, not a role). */
export interface SpaceAccess {
  readonly spaceId: string;
  readonly role: Role;
}

const notVisible = (what: string) =>
  ({ allow: false, error: new GatehouseError('not_found', { auditReason: `authorization: ${what}` }) }) as const;
const denied = (what: string) => ({ allow: false, error: new GatehouseError('forbidden', { auditReason: `authorization: ${what}` }) }) as const;
const conflict = (detail: string) => ({ allow: false, error: new GatehouseError('conflict', { detail, auditReason: `authorization: ${detail}` }) }) as const;

function verdict(v: RuleVerdict, what: string, conflictDetail: string): Decision {
  if (v === 'allow') return { allow: true };
  return v === 'conflict' ? conflict(conflictDetail) : denied(what);
}

/**
 * The resource rules the messaging routes declare. They load what the pure policy needs
 * (the caller's role, the target's role, the message's author) and apply it.
 */
export function messagingAccessRules(deps: { spaces: SpaceRepository; messages: MessageRepository; users: UserRepository }) {
  async function callerRole(principal: Principal, request: FastifyRequest): Promise<{ spaceId: string; role: Role | undefined }> {
    const { spaceId } = request.params as { spaceId: string };
    if (principal.kind !== 'user' || spaceId.length > 64) return { spaceId, role: undefined };
    return { spaceId, role: await deps.spaces.roleOf(spaceId, principal.userId) };
  }

  /**
   * The caller has at least `minimum` in `:spaceId`. Not a member: 404 (the space's existence
   * is not revealed). With `capability`, a capability for this space holding that permission
   * also passes, while its issuer still has the authority to grant it.
   */
  function spaceRole(minimum: Role, capability?: CapabilityPermission): ResourceRule {
    return {
      description: `space role ≥ ${minimum}${capability ? `, or a capability for the space with “${capability}”` : ''}`,
      phase: 'beforeBody',
      async decide(principal, request) {
        if (principal.kind === 'capability') {
          const { spaceId } = request.params as { spaceId: string };
          if (!capability) return denied('capabilities cannot use this route');
          const issuerRole = spaceId === principal.spaceId ? await deps.spaces.roleOf(spaceId, principal.issuerId) : undefined;
          switch (capabilityVerdict(principal, spaceId, capability, issuerRole)) {
            case 'allow':
              return { allow: true, access: { spaceId } };
            case 'not_visible':
              return notVisible(`capability ${principal.capabilityId} is for another space`);
            case 'dead':
              return { allow: false, error: unauthenticated(`capability ${principal.capabilityId}: issuer ${principal.issuer} no longer holds the authority`, request.routeOptions.config.policy) };
            case 'deny':
              return denied(`capability ${principal.capabilityId} lacks “${capability}”`);
          }
        }
        const { spaceId, role } = await callerRole(principal, request);
        if (!role) return notVisible(`caller is not a member of space ${spaceId.slice(0, 64)}`);
        if (!roleAtLeast(role, minimum)) return denied(`role ${role} in space ${spaceId}, needs ${minimum}`);
        return { allow: true, access: { spaceId, role } satisfies SpaceAccess };
      },
    };
  }

  /** DELETE a message: its author, or a moderator. Runs after spaceRole. */
  const deleteMessage: ResourceRule = {
    description: 'the message’s author, or a moderator',
    phase: 'beforeBody',
    async decide(principal, request) {
      const { spaceId, messageId } = request.params as { spaceId: string; messageId: string };
      const { role } = request.access as unknown as SpaceAccess;
      const message = messageId.length <= 64 ? await deps.messages.get(spaceId, messageId) : undefined;
      if (!message) return { allow: false, error: new GatehouseError('not_found', { auditReason: 'no such message in this space' }) };
      const isAuthor = principal.kind === 'user' && message.authorId === principal.userId;
      return canDeleteMessage(role, isAuthor) ? { allow: true } : denied(`role ${role} may not delete another member's message`);
    },
  };

  /** PUT a member's role: depends on the role being given, so it runs on the validated body. */
  const assignRole: ResourceRule = {
    description: 'moderators manage readers and members; the owner manages moderators and hands on ownership',
    phase: 'afterValidation',
    async decide(principal, request) {
      const { spaceId, username } = request.params as { spaceId: string; username: string };
      const { role } = request.access as unknown as SpaceAccess;
      const next = (request.body as { role: Role }).role;
      const target = await deps.users.findByUsername(username);
      if (!target) return { allow: false, error: new GatehouseError('not_found', { detail: 'No such user', extras: { field: 'username' } }) };
      const current = await deps.spaces.roleOf(spaceId, target.id);
      const isSelf = principal.kind === 'user' && principal.userId === target.id;
      const v = canAssignRole(role, isSelf, current, next);
      return v === 'allow'
        ? { allow: true, access: { targetUserId: target.id } }
        : verdict(v, `role ${role} may not make ${current ?? 'a non-member'} ${next}`, 'A space must keep its owner: give ownership to another member instead');
    },
  };

  /** DELETE a member: yourself, or someone you manage. */
  const removeMember: ResourceRule = {
    description: 'yourself, or (moderator) readers and members, or (owner) anyone but the owner',
    phase: 'beforeBody',
    async decide(principal, request) {
      const { spaceId, username } = request.params as { spaceId: string; username: string };
      const { role } = request.access as unknown as SpaceAccess;
      const target = username.length <= 64 ? await deps.users.findByUsername(username) : undefined;
      const targetRole = target && (await deps.spaces.roleOf(spaceId, target.id));
      if (!target || !targetRole) return { allow: false, error: new GatehouseError('not_found', { detail: 'No such member', auditReason: 'no such member' }) };
      const isSelf = principal.kind === 'user' && principal.userId === target.id;
      const v = canRemoveMember(role, isSelf, targetRole);
      return v === 'allow'
        ? { allow: true, access: { targetUserId: target.id } }
        : verdict(v, `role ${role} may not remove a ${targetRole}`, 'The owner cannot leave: give ownership to another member first');
    },
  };

  return { spaceRole, deleteMessage, assignRole, removeMember };
}
