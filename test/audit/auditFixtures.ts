import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { sql } from 'kysely';
import { main, type CommandIo } from '../../src/cli/main.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import type { Database } from '../../src/store/database.ts';
import { call, userWithToken } from '../helpers/api.ts';
import { startTestServer } from '../helpers/testServer.ts';

/** A fresh private directory for one test file. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `gatehouse-${prefix}-`));
}

/** Runs `gatehouse <args>` in-process against a data dir; returns exit code and output. */
export async function gatehouse(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIo = {
    out: (t) => void (out += t + '\n'),
    err: (t) => void (err += t + '\n'),
    readSecret: async () => '',
    env: { GATEHOUSE_LOG_LEVEL: 'silent', ...env },
  };
  const code = await main(args, io);
  return { code, out, err };
}

/**
 * A data directory (keyring file + SQLite file) whose audit log holds the records of real
 * traffic through the whole pipeline: registrations, a token, a space, messages, reads, a denial.
 */
export async function dataDirWithTraffic(prefix: string): Promise<{ dir: string; dbFile: string; keyring: Keyring; records: number }> {
  const dir = tempDir(prefix);
  const keyring = Keyring.loadOrCreate(path.join(dir, 'keyring'));
  const dbFile = path.join(dir, 'gatehouse.sqlite');
  const server = await startTestServer({ databaseUrl: `sqlite:${dbFile}`, keyring });
  const app = server.app.fastify;
  const alice = await userWithToken(app, 'alice');
  const space = await call(app, 'POST', '/v1/spaces', { token: alice.token, body: { name: 'plans' } });
  for (let i = 0; i < 4; i++) await call(app, 'POST', `/v1/spaces/${space.json.id}/messages`, { token: alice.token, body: { text: `hello ${i}` } });
  await call(app, 'GET', `/v1/spaces/${space.json.id}/messages`, { token: alice.token });
  await call(app, 'GET', '/v1/audit', { token: alice.token }); // denied: not an administrator
  await server.close();
  return { dir, dbFile, keyring, records: countRecords(dbFile) };
}

/** A copy of a data directory (database file and keyring), to tamper with. */
export function copyDataDir(from: string, prefix: string): string {
  const dir = tempDir(prefix);
  for (const name of fs.readdirSync(from)) fs.copyFileSync(path.join(from, name), path.join(dir, name));
  fs.chmodSync(path.join(dir, 'keyring'), 0o600);
  return dir;
}

/** Runs SQL on the database file directly, as someone with access to the file would. */
export function tamper(dbFile: string, ...statements: string[]): void {
  const db = new Sqlite(dbFile);
  try {
    for (const s of statements) db.exec(s);
  } finally {
    db.close();
  }
}

export function countRecords(dbFile: string): number {
  const db = new Sqlite(dbFile, { readonly: true });
  try {
    return (db.prepare('select count(*) as n from audit_log').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Makes every insert into `table` fail inside the database itself (a trigger, on SQLite or
 * PostgreSQL), as a full disk would; returns how to undo it. `table` and `name` are constants
 * of the tests, never input.
 */
export async function failInsertsInto(database: Database, table: 'audit_log' | 'audit_outbox', name: string): Promise<() => Promise<unknown>> {
  if (database.dialect === 'sqlite') {
    await sql.raw(`create trigger ${name} before insert on ${table} begin select raise(fail, 'disk I/O error'); end`).execute(database.db);
    return () => sql.raw(`drop trigger ${name}`).execute(database.db);
  }
  await sql.raw(`create or replace function ${name}() returns trigger language plpgsql as $$ begin raise exception 'disk I/O error'; end $$`).execute(database.db);
  await sql.raw(`create trigger ${name} before insert on ${table} for each row execute function ${name}()`).execute(database.db);
  return () => sql.raw(`drop trigger ${name} on ${table}`).execute(database.db);
}
