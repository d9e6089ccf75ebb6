import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/schema.ts';

export interface UserSummary {
  readonly id: string;
  readonly username: string;
  readonly isAdmin: boolean;
  readonly disabled: boolean;
  readonly createdAt: number;
}

/**
 * What administrators do to accounts. Disabling is one transaction that also ends every
 * session, API token and capability the user issued: nothing they started outlives it,
 * and re-enabling does not bring those back.
 */
export class AccountAdministration {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Users in username order; `after` continues from a previous page. */
  async list(options: { limit: number; after?: string }): Promise<{ items: UserSummary[]; more: boolean }> {
    let q = this.db.selectFrom('users').select(['id', 'username', 'is_admin', 'disabled', 'created_at']);
    if (options.after !== undefined) q = q.where('username', '>', options.after);
    const rows = await q.orderBy('username').limit(options.limit + 1).execute();
    return { items: rows.slice(0, options.limit).map(toSummary), more: rows.length > options.limit };
  }

  async find(username: string): Promise<UserSummary | undefined> {
    const row = await this.db.selectFrom('users').select(['id', 'username', 'is_admin', 'disabled', 'created_at']).where('username', '=', username).executeTakeFirst();
    return row && toSummary(row);
  }

  async setDisabled(userId: string, disabled: boolean, nowMs: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ disabled: disabled ? 1 : 0 }).where('id', '=', userId).execute();
      if (!disabled) return;
      await trx.updateTable('sessions').set({ revoked_at: nowMs }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      await trx.updateTable('api_tokens').set({ revoked_at: nowMs }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      await trx.updateTable('capabilities').set({ revoked_at: nowMs }).where('issuer_id', '=', userId).where('revoked_at', 'is', null).execute();
    });
  }

  /**
   * Removes every second factor of a user who lost them (TOTP, recovery codes, passkeys) and
   * ends their sessions and tokens in the same transaction: the next login is with the
   * password alone, and nothing opened with the lost factors survives.
   */
  async resetMfa(userId: string, nowMs: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('totp_credentials').where('user_id', '=', userId).execute();
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx.deleteFrom('webauthn_credentials').where('user_id', '=', userId).execute();
      await trx.updateTable('sessions').set({ revoked_at: nowMs }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      await trx.updateTable('api_tokens').set({ revoked_at: nowMs }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    });
  }
}

function toSummary(r: { id: string; username: string; is_admin: number; disabled: number; created_at: number }): UserSummary {
  return { id: r.id, username: r.username, isAdmin: Number(r.is_admin) === 1, disabled: Number(r.disabled) === 1, createdAt: Number(r.created_at) };
}
