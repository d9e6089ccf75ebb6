import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../clock.ts';
import { constantTimeEqual, hashSecret, newId, newSecret } from '../crypto/random.ts';
import type { Scope } from '../pipeline/authn/principal.ts';
import type { ApiTokensTable, DatabaseSchema } from '../store/schema.ts';
import { PreparedQuery } from '../store/PreparedQuery.ts';
import type { TokenPosition } from './tokenCursor.ts';

/** Prefix that lets secret scanners recognise a leaked Gatehouse token. */
const TOKEN_PREFIX = 'ght_';

export interface ApiToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

/**
 * API tokens of the form `ght_<id>.<secret>`. Only a hash of the secret is stored; the
 * token itself is shown once, at issuance.
 */
export class TokenService {
  /** The lookup of every bearer request, compiled once (PreparedQuery says why). */
  private readonly findToken: PreparedQuery<TokenRow, 'id'>;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly clock: Clock,
  ) {
    this.findToken = new PreparedQuery(db, ['id'], (d, param) => d
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id', 'api_tokens.secret_hash', 'api_tokens.scopes', 'api_tokens.expires_at', 'api_tokens.revoked_at',
        'users.id as user_id', 'users.username', 'users.is_admin', 'users.disabled',
      ])
      .where('api_tokens.id', '=', param('id')));
  }

  async issue(userId: string, name: string, scopes: readonly Scope[], lifetimeSeconds: number): Promise<{ token: string; record: ApiToken }> {
    const id = newId();
    const secret = newSecret();
    const now = this.clock();
    const record: ApiToken = { id, userId, name, scopes, createdAt: now, expiresAt: now + lifetimeSeconds * 1000, revokedAt: null };
    await this.db
      .insertInto('api_tokens')
      .values({
        id,
        user_id: userId,
        name,
        secret_hash: hashSecret(secret),
        scopes: scopes.join(' '),
        created_at: now,
        expires_at: record.expiresAt,
        revoked_at: null,
      })
      .execute();
    return { token: `${TOKEN_PREFIX}${id}.${secret}`, record };
  }

  /** The token and its user if the presented string is a live token; otherwise why not. */
  async verify(presented: string, nowMs: number) {
    const parsed = parseToken(presented);
    if (!parsed) return { ok: false as const, reason: 'bearer token is not a Gatehouse token' };
    const row = await this.findToken.first({ id: parsed.id });
    // Hash and compare even for unknown ids so timing does not tell which ids exist.
    const matches = constantTimeEqual(hashSecret(parsed.secret), row?.secret_hash ?? 'x'.repeat(43));
    if (!row) return { ok: false as const, reason: 'unknown token id' };
    if (!matches) return { ok: false as const, reason: `wrong secret for token ${row.id}` };
    if (row.revoked_at !== null) return { ok: false as const, reason: `token ${row.id} is revoked` };
    if (Number(row.expires_at) <= nowMs) return { ok: false as const, reason: `token ${row.id} expired` };
    if (Number(row.disabled) === 1) return { ok: false as const, reason: `user ${row.username} is disabled` };
    return {
      ok: true as const,
      tokenId: row.id,
      scopes: row.scopes.split(' ').filter(Boolean) as Scope[],
      user: { id: row.user_id, username: row.username, isAdmin: Number(row.is_admin) === 1 },
    };
  }

  /**
   * One page of the user's tokens, newest first: at most `limit`, after `after` when given.
   * Keyset on (created_at desc, id desc): the id breaks ties between tokens made in the same
   * millisecond, so the order is total and no token is skipped or repeated between pages.
   * Spelled `a < x or (a = x and b < y)` rather than a row-value comparison, which not every
   * dialect supports. `more` comes from one extra row, not a count (issue 6: every list is capped).
   */
  async listForUser(userId: string, page: { limit: number; after?: TokenPosition }): Promise<{ items: ApiToken[]; more: boolean }> {
    let q = this.db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId);
    const after = page.after;
    if (after !== undefined) {
      q = q.where((eb) => eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    return { items: rows.slice(0, page.limit).map(toApiToken), more: rows.length > page.limit };
  }

  /** Whether the token exists and belongs to the user (for the ownership rule). */
  async isOwnedBy(tokenId: string, userId: string): Promise<boolean> {
    const row = await this.db.selectFrom('api_tokens').select('user_id').where('id', '=', tokenId).executeTakeFirst();
    return row?.user_id === userId;
  }

  /** Revokes every token of the user, except `exceptTokenId` (the caller's own, when it stays). */
  async revokeAllForUser(userId: string, exceptTokenId?: string): Promise<number> {
    let update = this.db.updateTable('api_tokens').set({ revoked_at: this.clock() }).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (exceptTokenId !== undefined) update = update.where('id', '!=', exceptTokenId);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async revoke(tokenId: string): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: this.clock() })
      .where('id', '=', tokenId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}

/** A stored token as the API shows it (no secret hash). */
function toApiToken(r: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    scopes: r.scopes.split(' ').filter(Boolean) as Scope[],
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

/** A token and its user, as the bearer lookup reads them. */
interface TokenRow {
  id: string;
  secret_hash: string;
  scopes: string;
  expires_at: number;
  revoked_at: number | null;
  user_id: string;
  username: string;
  is_admin: number;
  disabled: number;
}

/** Splits `ght_<id>.<secret>`; undefined if it is not of that shape. */
export function parseToken(presented: string): { id: string; secret: string } | undefined {
  if (!presented.startsWith(TOKEN_PREFIX)) return undefined;
  const body = presented.slice(TOKEN_PREFIX.length);
  const dot = body.indexOf('.');
  if (dot <= 0 || dot === body.length - 1) return undefined;
  return { id: body.slice(0, dot), secret: body.slice(dot + 1) };
}
