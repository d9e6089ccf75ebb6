/**
 * The SQLite database of the bare Fastify baselines: Gatehouse's own schema (created by its
 * migrations through openDatabase) with one user, one space and one message, then reopened
 * with better-sqlite3 directly and the same pragmas, for plain prepared statements.
 */
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { newId } from '../../src/crypto/random.ts';
import { openDatabase } from '../../src/store/database.ts';
import { AUTHOR, MESSAGE_TEXT } from './serverChild.ts';

export interface SeededSqlite {
  readonly sqlite: Sqlite.Database;
  readonly authorId: string;
  readonly spaceId: string;
  readonly messageId: string;
}

/** Creates `<dir>/baseline.sqlite` with the schema and one message; returns it open. */
export async function openSeededSqlite(dir: string): Promise<SeededSqlite> {
  const file = path.join(dir, 'baseline.sqlite');
  const schemaOnly = await openDatabase(`sqlite:${file}`);
  await schemaOnly.close();

  const sqlite = new Sqlite(file);
  // The pragmas of src/store/database.ts: WAL, synchronous=NORMAL.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');

  const now = Date.now();
  const authorId = newId();
  const spaceId = newId();
  const messageId = newId();
  sqlite.prepare('insert into users (id, username, password_hash, created_at) values (?, ?, ?, ?)').run(authorId, AUTHOR, 'not-a-hash', now);
  sqlite.prepare('insert into spaces (id, name, created_at) values (?, ?, ?)').run(spaceId, 'bench', now);
  sqlite.prepare("insert into space_members (space_id, user_id, role, added_at) values (?, ?, 'owner', ?)").run(spaceId, authorId, now);
  sqlite.prepare('insert into messages (id, space_id, author_id, text, created_at) values (?, ?, ?, ?, ?)').run(messageId, spaceId, authorId, MESSAGE_TEXT, now);
  return { sqlite, authorId, spaceId, messageId };
}
