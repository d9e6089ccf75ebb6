import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/schema.ts';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly isAdmin: boolean;
  readonly disabled: boolean;
  readonly createdAt: number;
}

/** Users in the SQL database. */
export class UserRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(user: User): Promise<void> {
    await this.db
      .insertInto('users')
      .values({
        id: user.id,
        username: user.username,
        password_hash: user.passwordHash,
        is_admin: user.isAdmin ? 1 : 0,
        disabled: user.disabled ? 1 : 0,
        created_at: user.createdAt,
      })
      .execute();
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row && toUser(row);
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  /**
   * Replaces the password hash. With `expectedOld`, only if the hash is still that one: a
   * rehash at login must not undo a password change that happened meanwhile.
   */
  async updatePasswordHash(id: string, passwordHash: string, expectedOld?: string): Promise<void> {
    let update = this.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id);
    if (expectedOld !== undefined) update = update.where('password_hash', '=', expectedOld);
    await update.execute();
  }
}

function toUser(row: DatabaseSchema['users']): User {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    isAdmin: Number(row.is_admin) === 1,
    disabled: Number(row.disabled) === 1,
    createdAt: Number(row.created_at),
  };
}
