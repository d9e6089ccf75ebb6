// `gatehouse keys`: list shows ids and purposes but never key material; rotate makes a new
// current key and keeps the old; reencrypt moves stored values to the current key; wrong
// invocations exit 2 with the reason.
// SQLite only (also under npm run test:postgres): the commands run on a data-dir database file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { main, type CommandIo } from '../../src/cli/main.ts';
import { encryptValue, keyIdOf } from '../../src/crypto/aead.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import { openDatabase } from '../../src/store/database.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-keys-'));
function io(): CommandIo & { outText: () => string; errText: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readSecret: async () => '',
    env: { GATEHOUSE_DATA_DIR: dir, GATEHOUSE_LOG_LEVEL: 'silent' },
    outText: () => out.join('\n'),
    errText: () => err.join('\n'),
  };
}

describe('gatehouse keys', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists keys without key material', async () => {
    const c = io();
    assert.equal(await main(['keys', 'list'], c), 0);
    const keyring = JSON.parse(fs.readFileSync(path.join(dir, 'keyring'), 'utf8')) as { keys: { key: string }[] };
    assert.match(c.outText(), /\* at-rest/);
    for (const k of keyring.keys) assert.ok(!c.outText().includes(k.key));
  });

  it('rotates one purpose, keeping the old key, and re-encrypts stored values', async () => {
    const database = await openDatabase(`sqlite:${path.join(dir, 'gatehouse.sqlite')}`);
    const before = Keyring.loadOrCreate(path.join(dir, 'keyring'));
    const oldId = before.current('at-rest').id;
    await database.db.insertInto('users').values({ id: 'u1', username: 'u', password_hash: 'x', is_admin: 0, disabled: 0, created_at: 0 }).execute();
    await database.db.insertInto('spaces').values({ id: 's1', name: 's', created_at: 0 }).execute();
    await database.db.insertInto('messages').values({ id: 'm1', space_id: 's1', author_id: 'u1', text: encryptValue(before, 'at-rest', 'hi', 'messages.text:m1'), created_at: 0 }).execute();
    await database.close();

    const c = io();
    assert.equal(await main(['keys', 'rotate', 'at-rest'], c), 0, c.errText());
    const after = Keyring.loadOrCreate(path.join(dir, 'keyring'));
    assert.notEqual(after.current('at-rest').id, oldId);
    assert.ok(after.byId(oldId), 'the old key is kept');
    assert.equal(after.current('totp').id, before.current('totp').id, 'other purposes unchanged');
    assert.equal(fs.statSync(path.join(dir, 'keyring')).mode & 0o777, 0o600);

    const r = io();
    assert.equal(await main(['keys', 'reencrypt'], r), 0, r.errText());
    assert.match(r.outText(), /messages\.text: 1 value/);
    const reopened = await openDatabase(`sqlite:${path.join(dir, 'gatehouse.sqlite')}`);
    const row = await reopened.db.selectFrom('messages').select('text').where('id', '=', 'm1').executeTakeFirstOrThrow();
    assert.equal(keyIdOf(row.text), after.current('at-rest').id);
    await reopened.close();
  });

  it('refuses unknown purposes and actions with exit code 2', async () => {
    for (const args of [['keys', 'rotate', 'bogus'], ['keys', 'frobnicate'], ['keys'], ['keys', 'list', 'extra']]) {
      const c = io();
      assert.equal(await main(args, c), 2, args.join(' '));
      assert.match(c.errText(), /Usage: gatehouse keys/);
    }
  });
});
