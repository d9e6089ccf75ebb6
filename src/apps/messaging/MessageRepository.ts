import type { Kysely } from 'kysely';
import { decryptValue, DecryptionError, encryptValue } from '../../crypto/aead.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { GatehouseError } from '../../errors/GatehouseError.ts';
import type { DatabaseSchema } from '../../store/schema.ts';
import { PreparedQuery } from '../../store/PreparedQuery.ts';

/** Binds a message body's ciphertext to its row, so it cannot be moved to another message. */
export function messageTextContext(messageId: string): string {
  return `messages.text:${messageId}`;
}

export interface Message {
  readonly id: string;
  readonly spaceId: string;
  readonly authorId: string;
  readonly author: string;
  readonly text: string;
  readonly createdAt: number;
}

/**
 * Messages of spaces. `seq` orders them and backs the pagination cursor. Bodies are stored
 * encrypted (AES-256-GCM, keyring purpose 'at-rest'): someone with the database file but
 * not the keyring reads nothing (MISSION.md §2, encryption at rest).
 */
export class MessageRepository {
  /** One message by id: the read route's query, compiled once (PreparedQuery says why). */
  private readonly findOne: PreparedQuery<MessageRow, 'spaceId' | 'messageId'>;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly keyring: Keyring,
  ) {
    this.findOne = new PreparedQuery(db, ['spaceId', 'messageId'], (_d, param) =>
      this.baseQuery().where('messages.space_id', '=', param('spaceId')).where('messages.id', '=', param('messageId')));
  }

  async insert(m: Omit<Message, 'author'>): Promise<void> {
    const text = encryptValue(this.keyring, 'at-rest', m.text, messageTextContext(m.id));
    await this.db
      .insertInto('messages')
      .values({ id: m.id, space_id: m.spaceId, author_id: m.authorId, text, created_at: m.createdAt })
      .execute();
  }

  async get(spaceId: string, messageId: string): Promise<Message | undefined> {
    const row = await this.findOne.first({ spaceId, messageId });
    return row && this.toMessage(row);
  }

  /** Newest first; `beforeSeq` continues a previous page; `since` is a lower bound on time. */
  async list(spaceId: string, options: { limit: number; beforeSeq?: number; sinceMs?: number }): Promise<{ items: Message[]; lastSeq: number | undefined; more: boolean }> {
    let q = this.baseQuery().select('messages.seq').where('messages.space_id', '=', spaceId);
    if (options.beforeSeq !== undefined) q = q.where('messages.seq', '<', options.beforeSeq);
    if (options.sinceMs !== undefined) q = q.where('messages.created_at', '>=', options.sinceMs);
    const rows = await q.orderBy('messages.seq', 'desc').limit(options.limit + 1).execute();
    const more = rows.length > options.limit;
    const page = rows.slice(0, options.limit);
    return { items: page.map((r) => this.toMessage(r)), lastSeq: page.length ? Number(page[page.length - 1]!.seq) : undefined, more };
  }

  async delete(spaceId: string, messageId: string): Promise<void> {
    await this.db.deleteFrom('messages').where('space_id', '=', spaceId).where('id', '=', messageId).execute();
  }

  private toMessage(r: MessageRow): Message {
    let text: string;
    try {
      text = decryptValue(this.keyring, 'at-rest', r.text, messageTextContext(r.id));
    } catch (err) {
      if (!(err instanceof DecryptionError)) throw err;
      // Tampering or a value moved between rows: refuse loudly rather than serve it.
      throw new GatehouseError('internal_error', { auditReason: `at-rest integrity: message ${r.id}: ${err.message}` });
    }
    return { id: r.id, spaceId: r.space_id, authorId: r.author_id, author: r.username, text, createdAt: Number(r.created_at) };
  }

  private baseQuery() {
    return this.db
      .selectFrom('messages')
      .innerJoin('users', 'users.id', 'messages.author_id')
      .select(['messages.id', 'messages.space_id', 'messages.author_id', 'messages.text', 'messages.created_at', 'users.username']);
  }
}

type MessageRow = { id: string; space_id: string; author_id: string; text: string; created_at: number; username: string };
