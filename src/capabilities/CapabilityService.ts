import type { Clock } from '../clock.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { newId } from '../crypto/random.ts';
import type { CapabilityRequestContext, CapabilityVerifier } from '../pipeline/authn/CapabilityVerifier.ts';
import type { Verification } from '../pipeline/authn/CredentialVerifier.ts';
import { effectiveRights, formatCaveat, MAX_CAVEATS, rightsRefuse, type CapabilityPermission } from './caveats.ts';
import type { CapabilityRecord, CapabilityRepository } from './CapabilityRepository.ts';
import { decodeToken, mintToken, parseIdentifier, verifySignature } from './macaroonToken.ts';

/**
 * Issues capability macaroons and checks presented ones (the authentication stage's
 * capability port). A token is accepted only if its signature holds under the root key its
 * identifier names, every caveat is understood and satisfied, and the server-side record is
 * neither revoked nor expired nor issued by a disabled user. Whether the issuer still holds
 * the authority is a question about the space, answered by the authorization rules.
 */
export class CapabilityService implements CapabilityVerifier {
  constructor(
    private readonly deps: { repository: CapabilityRepository; keyring: Keyring; clock: Clock },
  ) {}

  /** Mints a capability for `spaceId`; the caller has already checked the issuer may grant it. */
  async issue(request: {
    spaceId: string;
    issuerId: string;
    permissions: readonly CapabilityPermission[];
    lifetimeSeconds: number;
    methods?: readonly string[];
  }): Promise<{ token: string; record: CapabilityRecord }> {
    const key = this.deps.keyring.current('capability-root');
    const now = this.deps.clock();
    const record: CapabilityRecord = {
      id: newId(), spaceId: request.spaceId, issuerId: request.issuerId, keyId: key.id,
      permissions: [...request.permissions], createdAt: now, expiresAt: now + request.lifetimeSeconds * 1000, revokedAt: null,
    };
    const caveats = [
      formatCaveat({ kind: 'space', spaceId: record.spaceId }),
      formatCaveat({ kind: 'permissions', permissions: record.permissions }),
      formatCaveat({ kind: 'expires', atMs: record.expiresAt }),
      ...(request.methods ? [formatCaveat({ kind: 'method', methods: request.methods })] : []),
    ];
    await this.deps.repository.insert(record);
    return { token: mintToken(key.key, { keyId: key.id, capabilityId: record.id }, caveats), record };
  }

  async verifyCapability(token: string, context: CapabilityRequestContext): Promise<Verification> {
    let decoded;
    try {
      decoded = decodeToken(token);
    } catch {
      return { ok: false, reason: 'capability token is not a macaroon' };
    }
    // Bound the HMAC work an anonymous caller can cause before computing any of it.
    if (decoded.caveats.length > MAX_CAVEATS) return { ok: false, reason: `capability token has more than ${MAX_CAVEATS} caveats` };
    const id = parseIdentifier(decoded);
    if (!id) return { ok: false, reason: 'capability identifier is not a Gatehouse one' };
    const key = this.deps.keyring.byId(id.keyId);
    if (!key || key.purpose !== 'capability-root') return { ok: false, reason: `capability ${id.capabilityId}: unknown root key ${id.keyId}` };
    const signature = verifySignature(decoded, key.key);
    if (!signature.ok) return { ok: false, reason: `capability ${id.capabilityId}: ${signature.reason}` };
    const rights = effectiveRights(signature.caveats);
    if (!rights.ok) return { ok: false, reason: `capability ${id.capabilityId}: ${rights.reason}` };
    const refused = rightsRefuse(rights.rights, context);
    if (refused) return { ok: false, reason: `capability ${id.capabilityId}: ${refused}` };

    const record = await this.deps.repository.findWithIssuer(id.capabilityId);
    if (!record || record.keyId !== id.keyId) return { ok: false, reason: `capability ${id.capabilityId} is unknown` };
    if (record.revokedAt !== null) return { ok: false, reason: `capability ${record.id} is revoked` };
    if (record.expiresAt <= context.nowMs) return { ok: false, reason: `capability ${record.id} expired` };
    if (record.issuerDisabled) return { ok: false, reason: `capability ${record.id}: issuer ${record.issuer} is disabled` };
    if (record.spaceId !== rights.rights.spaceId) return { ok: false, reason: `capability ${record.id}: space caveat does not match the record` };
    // The record bounds the caveats too: a token can only be narrower than what was minted.
    const permissions = rights.rights.permissions.filter((p) => record.permissions.includes(p));
    if (permissions.length === 0) return { ok: false, reason: `capability ${record.id}: no permission left` };
    return {
      ok: true,
      principal: {
        kind: 'capability', authMethod: 'capability', capabilityId: record.id, spaceId: record.spaceId,
        permissions, issuerId: record.issuerId, issuer: record.issuer,
      },
    };
  }
}
