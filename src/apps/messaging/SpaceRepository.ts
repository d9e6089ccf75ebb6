import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../../store/schema.ts';
import { PreparedQuery } from '../../store/PreparedQuery.ts';
import type { Role } from './policy.ts';

export interface SpaceSummary {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly createdAt: number;
}

export interface Member {
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
}

/** Spaces and their members. Changes that must hold an invariant run in one transaction. */
export class SpaceRepository {
  /** The caller's role, looked up by every space route's access rule: compiled once (PreparedQuery says why). */
  private readonly findRole: PreparedQuery<{ role: string }, 'spaceId' | 'userId'>;

  constructor(private readonly db: Kysely<DatabaseSchema>) {
    this.findRole = new PreparedQuery(db, ['spaceId', 'userId'], (d, param) =>
      d.selectFrom('space_members').select('role').where('space_id', '=', param('spaceId')).where('user_id', '=', param('userId')));
  }

  /** Creates the space with its creator as owner, atomically. */
  async create(space: { id: string; name: string; createdAt: number }, ownerId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('spaces').values({ id: space.id, name: space.name, created_at: space.createdAt }).execute();
      await trx.insertInto('space_members').values({ space_id: space.id, user_id: ownerId, role: 'owner', added_at: space.createdAt }).execute();
    });
  }

  async get(spaceId: string): Promise<SpaceSummary | undefined> {
    const row = await this.db
      .selectFrom('spaces')
      .innerJoin('space_members', (j) => j.onRef('space_members.space_id', '=', 'spaces.id').on('space_members.role', '=', 'owner'))
      .innerJoin('users', 'users.id', 'space_members.user_id')
      .select(['spaces.id', 'spaces.name', 'spaces.created_at', 'users.username as owner'])
      .where('spaces.id', '=', spaceId)
      .executeTakeFirst();
    return row && { id: row.id, name: row.name, owner: row.owner, createdAt: Number(row.created_at) };
  }

  /** Spaces the user belongs to, with the user's role, newest first. */
  async listForUser(userId: string, limit: number): Promise<(SpaceSummary & { role: Role })[]> {
    const rows = await this.db
      .selectFrom('space_members as mine')
      .innerJoin('spaces', 'spaces.id', 'mine.space_id')
      .innerJoin('space_members as own', (j) => j.onRef('own.space_id', '=', 'spaces.id').on('own.role', '=', 'owner'))
      .innerJoin('users', 'users.id', 'own.user_id')
      .select(['spaces.id', 'spaces.name', 'spaces.created_at', 'users.username as owner', 'mine.role'])
      .where('mine.user_id', '=', userId)
      .orderBy('spaces.created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, owner: r.owner, createdAt: Number(r.created_at), role: r.role as Role }));
  }

  async delete(spaceId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('messages').where('space_id', '=', spaceId).execute();
      await trx.deleteFrom('space_members').where('space_id', '=', spaceId).execute();
      await trx.deleteFrom('spaces').where('id', '=', spaceId).execute();
    });
  }

  async roleOf(spaceId: string, userId: string): Promise<Role | undefined> {
    const row = await this.findRole.first({ spaceId, userId });
    return row?.role as Role | undefined;
  }

  /**
   * One page of the space's members in username order: at most `limit`, after `afterUsername`
   * when given (keyset: usernames are unique, so the order is total). `more` says whether
   * another page follows, from one extra row rather than a count (issue 6: every list is capped).
   */
  async members(spaceId: string, page: { limit: number; afterUsername?: string }): Promise<{ items: Member[]; more: boolean }> {
    let q = this.db
      .selectFrom('space_members')
      .innerJoin('users', 'users.id', 'space_members.user_id')
      .select(['users.id', 'users.username', 'space_members.role'])
      .where('space_members.space_id', '=', spaceId);
    if (page.afterUsername !== undefined) q = q.where('users.username', '>', page.afterUsername);
    const rows = await q.orderBy('users.username').limit(page.limit + 1).execute();
    return {
      items: rows.slice(0, page.limit).map((r) => ({ userId: r.id, username: r.username, role: r.role as Role })),
      more: rows.length > page.limit,
    };
  }

  /**
   * Sets a member's role (adding them if needed). Giving `owner` hands ownership over: the
   * previous owner becomes moderator in the same transaction, so there is always exactly one.
   */
  async setRole(spaceId: string, userId: string, role: Role, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // Serialize role changes per space before reading who owns it: a no-op write on the
      // space row locks it (PostgreSQL row lock; SQLite's one writer). Without it two
      // concurrent hand-overs under PostgreSQL's READ COMMITTED both miss the other's new
      // owner and the second hits the one-owner index (500 instead of a clean hand-over).
      await trx.updateTable('spaces').set((eb) => ({ name: eb.ref('name') })).where('id', '=', spaceId).execute();
      if (role === 'owner') {
        await trx.updateTable('space_members').set({ role: 'moderator' }).where('space_id', '=', spaceId).where('role', '=', 'owner').execute();
      }
      const updated = await trx
        .updateTable('space_members')
        .set({ role })
        .where('space_id', '=', spaceId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        await trx.insertInto('space_members').values({ space_id: spaceId, user_id: userId, role, added_at: now }).execute();
      }
    });
  }

  async removeMember(spaceId: string, userId: string): Promise<void> {
    // The owner row is never removed here: the policy refuses it, and the condition makes sure.
    await this.db.deleteFrom('space_members').where('space_id', '=', spaceId).where('user_id', '=', userId).where('role', '!=', 'owner').execute();
  }
}
