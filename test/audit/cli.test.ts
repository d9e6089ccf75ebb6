// `gatehouse audit export` (JSON lines for a SIEM, with filters) and `gatehouse audit prune`
// (retention: the rest of the chain still verifies from the signed anchor at the cut, and the
// server chains on after it), plus the command's usage errors.
// SQLite only (also under npm run test:postgres): the commands run on a data-dir database file.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { Keyring } from '../../src/crypto/keyring.ts';
import { call } from '../helpers/api.ts';
import { startTestServer } from '../helpers/testServer.ts';
import { copyDataDir, countRecords, dataDirWithTraffic, gatehouse, tamper, tempDir } from './auditFixtures.ts';

describe('gatehouse audit export and prune', () => {
  let source: { dir: string; records: number };
  before(async () => {
    source = await dataDirWithTraffic('cli');
  });
  const env = (dir: string) => ({ GATEHOUSE_DATA_DIR: dir });
  const exported = async (dir: string, ...args: string[]) => {
    const result = await gatehouse(['audit', 'export', ...args], env(dir));
    assert.equal(result.code, 0, result.err);
    return result.out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
  };

  it('exports every record as a JSON line, oldest first, with its key id and MAC', async () => {
    const lines = await exported(source.dir);
    assert.equal(lines.length, source.records);
    assert.deepEqual(lines.map((l) => Number(l.id)), Array.from({ length: source.records }, (_, i) => i + 1));
    for (const l of lines) {
      assert.match(l.mac, /^[A-Za-z0-9_-]{43}$/);
      assert.match(l.keyId, /^audit-mac-/);
      assert.ok(l.time.endsWith('Z') && l.requestId && l.client && l.action && l.outcome);
    }
  });

  it('filters the export by actor and by time', async () => {
    const all = await exported(source.dir);
    const alice = await exported(source.dir, '--actor', 'alice');
    assert.ok(alice.length > 0 && alice.length < all.length);
    assert.ok(alice.every((l) => l.actor === 'alice'));
    const middle = all[Math.floor(all.length / 2)];
    const from = await exported(source.dir, '--from', middle.time);
    assert.ok(from.length > 0 && from.every((l) => l.time >= middle.time));
    const to = await exported(source.dir, '--to', middle.time);
    assert.ok(to.every((l) => l.time < middle.time));
    assert.equal(from.length + to.length, all.length);
  });

  it('prunes the old records, leaves a signed anchor, and the chain verifies and continues after it', async () => {
    const dir = copyDataDir(source.dir, 'prune');
    const dbFile = path.join(dir, 'gatehouse.sqlite');
    const all = await exported(dir);
    const cut = all[5];
    const before = JSON.parse((await gatehouse(['audit', 'checkpoint'], env(dir))).out);
    const pruned = await gatehouse(['audit', 'prune', '--before', cut.time], env(dir));
    assert.equal(pruned.code, 0, pruned.err);
    const remaining = await exported(dir);
    assert.ok(remaining.length < all.length);
    assert.ok(remaining.every((l) => l.time >= cut.time));
    assert.match(pruned.out, new RegExp(`pruned ${all.length - remaining.length} records`));
    assert.equal((await gatehouse(['audit', 'verify', '--checkpoint', JSON.stringify(before)], env(dir))).code, 0);

    // The server appends after the pruned log; the chain links on from the last record.
    const server = await startTestServer({ databaseUrl: `sqlite:${dbFile}`, keyring: Keyring.loadOrCreate(path.join(dir, 'keyring')) });
    await call(server.app.fastify, 'GET', '/healthz');
    await server.close();
    const verified = await gatehouse(['audit', 'verify', '--json'], env(dir));
    assert.equal(verified.code, 0, verified.out);
    assert.equal(JSON.parse(verified.out).checked, remaining.length + 2);

    // Pruning everything leaves only the anchor; new records chain on from it.
    assert.equal((await gatehouse(['audit', 'prune', '--before', '2999-01-01T00:00:00Z'], env(dir))).code, 0);
    assert.equal(countRecords(dbFile), 0);
    const again = await startTestServer({ databaseUrl: `sqlite:${dbFile}`, keyring: Keyring.loadOrCreate(path.join(dir, 'keyring')) });
    await call(again.app.fastify, 'GET', '/healthz');
    await again.close();
    assert.equal((await gatehouse(['audit', 'verify'], env(dir))).code, 0);
  });

  it('keeps the log verifiable across a key rotation: each record names its key', async () => {
    const dir = copyDataDir(source.dir, 'rotate');
    const keyringFile = path.join(dir, 'keyring');
    const rotate = (change: (data: any) => void) => {
      const data = JSON.parse(fs.readFileSync(keyringFile, 'utf8'));
      change(data);
      fs.writeFileSync(keyringFile, JSON.stringify(data), { mode: 0o600 });
    };
    const oldId = JSON.parse(fs.readFileSync(keyringFile, 'utf8')).current['audit-mac'];
    rotate((data) => {
      data.keys.push({ id: 'audit-mac-rotated', purpose: 'audit-mac', createdAt: new Date().toISOString(), key: randomBytes(32).toString('base64url') });
      data.current['audit-mac'] = 'audit-mac-rotated';
    });
    const server = await startTestServer({ databaseUrl: `sqlite:${path.join(dir, 'gatehouse.sqlite')}`, keyring: Keyring.loadOrCreate(keyringFile) });
    await call(server.app.fastify, 'GET', '/healthz');
    await server.close();
    assert.equal((await gatehouse(['audit', 'verify'], env(dir))).code, 0);
    assert.deepEqual([...new Set((await exported(dir)).map((l) => l.keyId))], [oldId, 'audit-mac-rotated']);
    // Retiring the old key too early makes the old records unverifiable, and says so.
    rotate((data) => (data.keys = data.keys.filter((k: { id: string }) => k.id !== oldId)));
    const retired = await gatehouse(['audit', 'verify'], env(dir));
    assert.equal(retired.code, 1);
    assert.match(retired.err, /at record 1: record 1 names an unknown audit key/);
  });

  it('verify says how many outcome records wait unchained in the outbox (what a crash leaves)', async () => {
    const dir = copyDataDir(source.dir, 'outbox');
    const Sqlite = (await import('better-sqlite3')).default;
    const db = new Sqlite(path.join(dir, 'gatehouse.sqlite'));
    db.prepare('insert into audit_outbox (record) values (?)').run(JSON.stringify({ requestId: 'crashed', phase: 'outcome' }));
    db.close();
    const text = await gatehouse(['audit', 'verify'], env(dir));
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /audit log intact: .*; 1 outcome record\(s\) wait in the audit outbox, not yet chained/);
    const json = JSON.parse((await gatehouse(['audit', 'verify', '--json'], env(dir))).out);
    assert.equal(json.outbox, 1);
    assert.equal(JSON.parse((await gatehouse(['audit', 'verify', '--json'], env(source.dir))).out).outbox, 0);
  });

  it('refuses to prune a tampered log (pruning would erase the evidence)', async () => {
    const dir = copyDataDir(source.dir, 'prune-tampered');
    tamper(path.join(dir, 'gatehouse.sqlite'), "update audit_log set actor = 'x' where seq = 2");
    const result = await gatehouse(['audit', 'prune', '--before', '2999-01-01T00:00:00Z'], env(dir));
    assert.equal(result.code, 1);
    assert.match(result.err, /refusing to prune: the audit log is NOT intact at record 2/);
    assert.equal(countRecords(path.join(dir, 'gatehouse.sqlite')), source.records);
  });

  it('says what was wrong with a bad invocation, and exits non-zero', async () => {
    const cases: [string[], number, RegExp][] = [
      [['audit'], 2, /missing action/],
      [['audit', 'shred'], 2, /unknown action "shred"/],
      [['audit', 'prune'], 2, /prune needs --before/],
      [['audit', 'prune', '--before', 'yesterday'], 2, /--before: expected an ISO 8601 time/],
      [['audit', 'export', '--before', '2026-01-01'], 2, /--before does not apply to "audit export"/],
      [['audit', 'verify', '--frobnicate'], 2, /Unknown option/],
    ];
    for (const [args, code, message] of cases) {
      const result = await gatehouse(args, env(source.dir));
      assert.equal(result.code, code, args.join(' '));
      assert.match(result.err, message);
    }
    const help = await gatehouse(['audit', '--help'], env(source.dir));
    assert.equal(help.code, 0);
    assert.match(help.out, /audit <action>/);
    const nowhere = await gatehouse(['audit', 'verify'], env(tempDir('empty')));
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.err, /no keyring at/);
  });
});
