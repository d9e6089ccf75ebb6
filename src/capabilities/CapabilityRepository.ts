import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/schema.ts';
import type { CapabilityPermission } from './caveats.ts';

export interface CapabilityRecord {
  readonly id: string;
  readonly spaceId: string;
  readonly issuerId: string;
  readonly keyId: string;
  readonly permissions: readonly CapabilityPermission[];
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

/** The server-side record of every capability minted: what makes revocation immediate. */
export class CapabilityRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(c: CapabilityRecord): Promise<void> {
    await this.db
      .insertInto('capabilities')
      .values({
        id: c.id, space_id: c.spaceId, issuer_id: c.issuerId, key_id: c.keyId, permissions: c.permissions.join(','),
        created_at: c.createdAt, expires_at: c.expiresAt, revoked_at: c.revokedAt,
      })
      .execute();
  }

  /** The capability with its issuer's name and whether the issuer is disabled. */
  async findWithIssuer(id: string): Promise<(CapabilityRecord & { issuer: string; issuerDisabled: boolean }) | undefined> {
    const row = await this.db
      .selectFrom('capabilities')
      .innerJoin('users', 'users.id', 'capabilities.issuer_id')
      .selectAll('capabilities')
      .select(['users.username', 'users.disabled'])
      .where('capabilities.id', '=', id)
      .executeTakeFirst();
    return row && { ...toRecord(row), issuer: row.username, issuerDisabled: Number(row.disabled) === 1 };
  }

  async listForSpace(spaceId: string, limit: number): Promise<(CapabilityRecord & { issuer: string })[]> {
    const rows = await this.db
      .selectFrom('capabilities')
      .innerJoin('users', 'users.id', 'capabilities.issuer_id')
      .selectAll('capabilities')
      .select('users.username')
      .where('capabilities.space_id', '=', spaceId)
      .orderBy('capabilities.created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...toRecord(r), issuer: r.username }));
  }

  /** Whether the capability exists in that space (object-level check before revoking). */
  async existsInSpace(id: string, spaceId: string): Promise<boolean> {
    const row = await this.db.selectFrom('capabilities').select('id').where('id', '=', id).where('space_id', '=', spaceId).executeTakeFirst();
    return row !== undefined;
  }

  async revoke(id: string, nowMs: number): Promise<void> {
    await this.db.updateTable('capabilities').set({ revoked_at: nowMs }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }
}

function toRecord(r: DatabaseSchema['capabilities']): CapabilityRecord {
  return {
    id: r.id, spaceId: r.space_id, issuerId: r.issuer_id, keyId: r.key_id,
    permissions: r.permissions.split(',').filter(Boolean) as CapabilityPermission[],
    createdAt: Number(r.created_at), expiresAt: Number(r.expires_at), revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}
