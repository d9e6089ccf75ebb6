import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../../store/schema.ts';

export interface ContactEntry {
  readonly userId: string;
  readonly username: string;
  readonly askedByMe: boolean;
  readonly askedByThem: boolean;
  readonly since: number;
}

/**
 * Contact requests, one row per direction. Connected = both rows exist; asking and accepting
 * are the same idempotent insert, so concurrent requests from both sides simply connect.
 */
export class ContactRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Records that `fromId` asks to connect with (or accepts) `toId`. Idempotent. */
  async ask(fromId: string, toId: string, now: number): Promise<void> {
    await this.db
      .insertInto('contact_requests')
      .values({ from_id: fromId, to_id: toId, created_at: now })
      .onConflict((oc) => oc.columns(['from_id', 'to_id']).doNothing())
      .execute();
  }

  /** Whether each side has asked: the input of the pure contactState rule. */
  async between(userId: string, otherId: string): Promise<{ askedByMe: boolean; askedByThem: boolean }> {
    const rows = await this.db
      .selectFrom('contact_requests')
      .select(['from_id'])
      .where((eb) => eb.or([
        eb.and([eb('from_id', '=', userId), eb('to_id', '=', otherId)]),
        eb.and([eb('from_id', '=', otherId), eb('to_id', '=', userId)]),
      ]))
      .execute();
    return { askedByMe: rows.some((r) => r.from_id === userId), askedByThem: rows.some((r) => r.from_id === otherId) };
  }

  /** Everyone the user has asked or been asked by. */
  async listFor(userId: string, limit: number): Promise<ContactEntry[]> {
    const mine = await this.db.selectFrom('contact_requests').innerJoin('users', 'users.id', 'contact_requests.to_id')
      .select(['users.id', 'users.username', 'contact_requests.created_at']).where('contact_requests.from_id', '=', userId).limit(limit).execute();
    const theirs = await this.db.selectFrom('contact_requests').innerJoin('users', 'users.id', 'contact_requests.from_id')
      .select(['users.id', 'users.username', 'contact_requests.created_at']).where('contact_requests.to_id', '=', userId).limit(limit).execute();
    const byId = new Map<string, ContactEntry>();
    for (const r of mine) byId.set(r.id, { userId: r.id, username: r.username, askedByMe: true, askedByThem: false, since: Number(r.created_at) });
    for (const r of theirs) {
      const seen = byId.get(r.id);
      byId.set(r.id, seen
        ? { ...seen, askedByThem: true, since: Math.max(seen.since, Number(r.created_at)) }
        : { userId: r.id, username: r.username, askedByMe: false, askedByThem: true, since: Number(r.created_at) });
    }
    return [...byId.values()].sort((a, b) => a.username.localeCompare(b.username)).slice(0, limit);
  }

  /** Removes the connection (or pending request) in both directions. */
  async remove(userId: string, otherId: string): Promise<void> {
    await this.db
      .deleteFrom('contact_requests')
      .where((eb) => eb.or([
        eb.and([eb('from_id', '=', userId), eb('to_id', '=', otherId)]),
        eb.and([eb('from_id', '=', otherId), eb('to_id', '=', userId)]),
      ]))
      .execute();
  }
}
