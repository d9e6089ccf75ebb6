import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import { constantTimeEqual, hashSecret, newId, newSecret } from '../crypto/random.ts';
import { signWithKeyId, verifyWithKeyId } from '../crypto/keyedMac.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { DatabaseSchema } from '../store/schema.ts';

export interface SessionTimeouts {
  readonly idleSeconds: number;
  readonly absoluteSeconds: number;
}

/** Only refresh `last_seen_at` this often, so reads do not turn into writes. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Browser sessions. The cookie holds `<id>.<secret>`; only a hash of the secret is stored.
 * A fresh id on every login (no fixation). The CSRF token is `<keyId>.<mac>`, an HMAC of the
 * session id under the keyring's CSRF key (keyedMac.ts): bound to the session, nothing extra
 * to store, and still valid after `gatehouse keys rotate csrf` while its key is in the keyring.
 */
export class SessionService {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly keyring: Keyring,
    private readonly timeouts: SessionTimeouts,
    private readonly clock: Clock,
  ) {}

  async create(userId: string): Promise<{ cookieValue: string; sessionId: string; csrfToken: string; expiresAt: number }> {
    const id = newId();
    const secret = newSecret();
    const now = this.clock();
    const expiresAt = now + this.timeouts.absoluteSeconds * 1000;
    await this.db
      .insertInto('sessions')
      .values({ id, user_id: userId, secret_hash: hashSecret(secret), created_at: now, last_seen_at: now, expires_at: expiresAt, revoked_at: null })
      .execute();
    return { cookieValue: `${id}.${secret}`, sessionId: id, csrfToken: this.csrfTokenFor(id), expiresAt };
  }

  async verify(cookieValue: string, nowMs: number) {
    const dot = cookieValue.indexOf('.');
    if (dot <= 0) return { ok: false as const, reason: 'session cookie is malformed' };
    const id = cookieValue.slice(0, dot);
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.id', 'sessions.secret_hash', 'sessions.last_seen_at', 'sessions.expires_at', 'sessions.revoked_at',
        'users.id as user_id', 'users.username', 'users.is_admin', 'users.disabled',
      ])
      .where('sessions.id', '=', id)
      .executeTakeFirst();
    const matches = constantTimeEqual(hashSecret(cookieValue.slice(dot + 1)), row?.secret_hash ?? 'x'.repeat(43));
    if (!row) return { ok: false as const, reason: 'unknown session' };
    if (!matches) return { ok: false as const, reason: `wrong secret for session ${row.id}` };
    if (row.revoked_at !== null) return { ok: false as const, reason: `session ${row.id} was logged out` };
    if (Number(row.expires_at) <= nowMs) return { ok: false as const, reason: `session ${row.id} reached its absolute timeout` };
    if (Number(row.last_seen_at) + this.timeouts.idleSeconds * 1000 <= nowMs) {
      return { ok: false as const, reason: `session ${row.id} idle for too long` };
    }
    if (Number(row.disabled) === 1) return { ok: false as const, reason: `user ${row.username} is disabled` };
    if (nowMs - Number(row.last_seen_at) > TOUCH_INTERVAL_MS) {
      await this.db.updateTable('sessions').set({ last_seen_at: nowMs }).where('id', '=', row.id).execute();
    }
    return {
      ok: true as const,
      sessionId: row.id,
      user: { id: row.user_id, username: row.username, isAdmin: Number(row.is_admin) === 1 },
    };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at: this.clock() }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
  }

  /** The user's live sessions (not logged out, not timed out), newest first. */
  async listLive(userId: string, nowMs: number): Promise<{ id: string; createdAt: number; lastSeenAt: number; expiresAt: number }[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['id', 'created_at', 'last_seen_at', 'expires_at'])
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', nowMs)
      .where('last_seen_at', '>', nowMs - this.timeouts.idleSeconds * 1000)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((r) => ({ id: r.id, createdAt: Number(r.created_at), lastSeenAt: Number(r.last_seen_at), expiresAt: Number(r.expires_at) }));
  }

  /** Ends every session of the user, except `exceptSessionId` (the caller's own, when it stays). */
  async revokeAllForUser(userId: string, exceptSessionId?: string): Promise<number> {
    let update = this.db.updateTable('sessions').set({ revoked_at: this.clock() }).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (exceptSessionId !== undefined) update = update.where('id', '!=', exceptSessionId);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The session's CSRF token under the current `csrf` key. */
  csrfTokenFor(sessionId: string): string {
    return signWithKeyId(this.keyring, 'csrf', `csrf:${sessionId}`);
  }

  /** Whether `presented` is this session's CSRF token under any `csrf` key still in the keyring (constant-time MAC compare). */
  checkCsrf(sessionId: string, presented: string): boolean {
    return verifyWithKeyId(this.keyring, 'csrf', `csrf:${sessionId}`, presented);
  }
}
