import type { CapabilityRepository } from '../../capabilities/CapabilityRepository.ts';
import type { CapabilityPermission } from '../../capabilities/caveats.ts';
import { GatehouseError } from '../../errors/GatehouseError.ts';
import type { ResourceRule } from '../../pipeline/authz/policy.ts';
import type { SpaceAccess } from './accessRules.ts';
import { mayIssueCapability } from './policy.ts';

/** Resource rules of the capability routes; both run after spaceRole('moderator'). */
export function capabilityAccessRules(deps: { capabilities: CapabilityRepository }) {
  /** A capability never grants more than its issuer holds (pure rule in policy.ts). */
  const grantable: ResourceRule = {
    description: 'the permissions are ones the caller holds and may share',
    phase: 'afterValidation',
    decide(_principal, request) {
      const { role } = request.access as unknown as SpaceAccess;
      const { permissions } = request.body as { permissions: CapabilityPermission[] };
      return mayIssueCapability(role, permissions)
        ? { allow: true }
        : { allow: false, error: new GatehouseError('forbidden', { detail: 'You cannot share permissions you do not hold', extras: { field: 'permissions' }, auditReason: `authorization: role ${role} may not grant ${permissions.join(',')}` }) };
    },
  };

  /** `:capId` belongs to `:spaceId` (a capability of another space is not visible here). */
  const capabilityInSpace: ResourceRule = {
    description: 'the capability belongs to this space',
    phase: 'beforeBody',
    async decide(_principal, request) {
      const { spaceId, capId } = request.params as { spaceId: string; capId: string };
      if (capId.length <= 64 && (await deps.capabilities.existsInSpace(capId, spaceId))) return { allow: true };
      return { allow: false, error: new GatehouseError('not_found', { auditReason: `authorization: no capability ${capId.slice(0, 64)} in space ${spaceId}` }) };
    },
  };

  return { grantable, capabilityInSpace };
}
