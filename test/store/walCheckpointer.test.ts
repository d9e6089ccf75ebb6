// The write-ahead log is checkpointed from a worker thread (src/store/walCheckpointer.ts), so
// that no commit on the event loop copies the log into the database file; the main
// connection keeps a higher threshold of its own as a bound.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/database.ts';
import { SAFETY_VALVE_PAGES } from '../../src/store/walCheckpointer.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function databaseFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-wal-'));
  dirs.push(dir);
  return path.join(dir, 'gatehouse.sqlite');
}

/** Writes ~`pages` pages of 4 KiB in transactions of 100 rows, as a server's commits would. */
async function writePages(db: Awaited<ReturnType<typeof openDatabase>>['db'], pages: number): Promise<void> {
  await sql`create table filler (x blob)`.execute(db);
  for (let done = 0; done < pages; done += 100) {
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 100; i++) await sql`insert into filler (x) values (randomblob(3500))`.execute(trx);
    });
  }
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (condition()) return true;
  return condition();
}

const pragma = async (db: Awaited<ReturnType<typeof openDatabase>>['db'], name: string) =>
  Number(Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0]);

describe('WAL checkpoints in a worker thread', () => {
  it('copies the log back into the database file without a commit of the event loop doing it', async () => {
    const file = databaseFile();
    const database = await openDatabase(`sqlite:${file}`, { backgroundCheckpoints: true });
    try {
      assert.equal(await pragma(database.db, 'wal_autocheckpoint'), SAFETY_VALVE_PAGES, "the main connection's own threshold is the safety valve");
      const before = fs.statSync(file).size;
      // Fewer pages than the main connection's threshold: only the worker can move them.
      await writePages(database.db, 2_000);
      const copied = await until(() => fs.statSync(file).size - before > 4_000_000, 10_000);
      assert.ok(copied, `the database file grew by ${fs.statSync(file).size - before} bytes: the log was not checkpointed`);
    } finally {
      await database.close();
    }
    assert.equal(fs.existsSync(`${file}-wal`), false, 'closing ends the thread and leaves no log behind');
  });

  it('is off unless asked for: a command keeps SQLite\'s own checkpoints', async () => {
    const database = await openDatabase(`sqlite:${databaseFile()}`);
    try {
      assert.equal(await pragma(database.db, 'wal_autocheckpoint'), 1000);
    } finally {
      await database.close();
    }
  });
});
