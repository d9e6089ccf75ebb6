import type { Kysely } from 'kysely';
import { decryptValue, encryptValue } from '../../crypto/aead.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import type { DatabaseSchema } from '../../store/schema.ts';

export interface DirectMessage {
  readonly id: string;
  readonly senderId: string;
  readonly sender: string;
  readonly recipient: string;
  readonly text: string;
  readonly createdAt: number;
}

/** The conversation key of two users: the same whoever asks. */
export function conversationOf(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

/**
 * Direct messages. Bodies are encrypted at rest with the keyring's at-rest key, bound to
 * their row (`direct_messages.text:<id>`), so someone with the database file alone reads nothing.
 */
export class DirectMessageRepository {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly keyring: Keyring,
  ) {}

  async insert(m: { id: string; senderId: string; recipientId: string; text: string; createdAt: number }): Promise<void> {
    await this.db
      .insertInto('direct_messages')
      .values({
        id: m.id,
        conversation: conversationOf(m.senderId, m.recipientId),
        sender_id: m.senderId,
        recipient_id: m.recipientId,
        text: encryptValue(this.keyring, 'at-rest', m.text, `direct_messages.text:${m.id}`),
        created_at: m.createdAt,
      })
      .execute();
  }

  /** The conversation of two users, newest first; `beforeSeq` continues a previous page. */
  async conversation(userId: string, otherId: string, options: { limit: number; beforeSeq?: number }): Promise<{ items: DirectMessage[]; lastSeq: number | undefined; more: boolean }> {
    let q = this.db
      .selectFrom('direct_messages')
      .innerJoin('users as s', 's.id', 'direct_messages.sender_id')
      .innerJoin('users as r', 'r.id', 'direct_messages.recipient_id')
      .select(['direct_messages.seq', 'direct_messages.id', 'direct_messages.sender_id', 'direct_messages.text', 'direct_messages.created_at', 's.username as sender', 'r.username as recipient'])
      .where('direct_messages.conversation', '=', conversationOf(userId, otherId));
    if (options.beforeSeq !== undefined) q = q.where('direct_messages.seq', '<', options.beforeSeq);
    const rows = await q.orderBy('direct_messages.seq', 'desc').limit(options.limit + 1).execute();
    const page = rows.slice(0, options.limit);
    return {
      items: page.map((r) => ({
        id: r.id, senderId: r.sender_id, sender: r.sender, recipient: r.recipient, createdAt: Number(r.created_at),
        text: decryptValue(this.keyring, 'at-rest', r.text, `direct_messages.text:${r.id}`),
      })),
      lastSeq: page.length ? Number(page[page.length - 1]!.seq) : undefined,
      more: rows.length > options.limit,
    };
  }
}
