// Message bodies at rest: after posting known messages, the SQLite file (and its WAL) holds
// no plaintext; swapping two ciphertexts between rows is detected on read; key rotation then
// re-encryption keeps every message readable (MISSION.md §2: people with access to the
// database files read nothing).
// SQLite only (also under npm run test:postgres): it reads the database file's bytes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keyIdOf } from '../../../src/crypto/aead.ts';
import { Keyring } from '../../../src/crypto/keyring.ts';
import { buildApp, type App } from '../../../src/server/buildApp.ts';
import { openDatabase, type Database } from '../../../src/store/database.ts';
import { reencryptAll } from '../../../src/store/encryptedColumns.ts';
import { call, userWithToken } from '../../helpers/api.ts';
import { testConfig } from '../../helpers/testServer.ts';

describe('message bodies at rest', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-atrest-'));
  const dbFile = path.join(dir, 'gatehouse.sqlite');
  const keyringFile = path.join(dir, 'keyring');
  let app: App;
  let database: Database;
  let keyring: Keyring;
  let token: string;
  let spaceId: string;
  const texts = Array.from({ length: 20 }, (_, i) => `PLAINTEXT-MARKER-${i}-the eagle lands at noon`);
  const ids: string[] = [];

  before(async () => {
    keyring = Keyring.loadOrCreate(keyringFile);
    database = await openDatabase(`sqlite:${dbFile}`);
    app = await buildApp({ config: testConfig(), database, keyring, logger: false });
    ({ token } = await userWithToken(app.fastify, 'alice'));
    spaceId = (await call(app.fastify, 'POST', '/v1/spaces', { token, body: { name: 'vault' } })).json.id;
    for (const text of texts) ids.push((await call(app.fastify, 'POST', `/v1/spaces/${spaceId}/messages`, { token, body: { text } })).json.id);
  });
  after(async () => {
    await app.fastify.close();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no plaintext in the database file or its WAL', () => {
    for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('gatehouse.sqlite'))) {
      const bytes = fs.readFileSync(path.join(dir, file));
      assert.equal(bytes.indexOf('PLAINTEXT-MARKER'), -1, `${file} contains a message body`);
      assert.equal(bytes.indexOf('eagle'), -1, `${file} contains a message body`);
    }
  });

  it('still serves the messages decrypted', async () => {
    const page = await call(app.fastify, 'GET', `/v1/spaces/${spaceId}/messages?limit=100`, { token });
    assert.deepEqual(page.json.items.map((m: { text: string }) => m.text).sort(), [...texts].sort());
  });

  it('detects two ciphertexts swapped between rows', async () => {
    const [a, b] = [ids[0]!, ids[1]!];
    const rows = await database.db.selectFrom('messages').select(['id', 'text']).where('id', 'in', [a, b]).execute();
    const textOf = (id: string) => rows.find((r) => r.id === id)!.text;
    await database.db.updateTable('messages').set({ text: textOf(b) }).where('id', '=', a).execute();
    await database.db.updateTable('messages').set({ text: textOf(a) }).where('id', '=', b).execute();
    const res = await call(app.fastify, 'GET', `/v1/spaces/${spaceId}/messages/${a}`, { token });
    assert.equal(res.status, 500);
    assert.equal(res.json.code, 'internal_error');
    assert.doesNotMatch(res.body, /PLAINTEXT|eagle|integrity/);
    // Put them back for the next test.
    await database.db.updateTable('messages').set({ text: textOf(a) }).where('id', '=', a).execute();
    await database.db.updateTable('messages').set({ text: textOf(b) }).where('id', '=', b).execute();
  });

  it('keeps every message readable through rotation and re-encryption', async () => {
    const oldKey = keyring.current('at-rest').id;
    Keyring.rotate(keyringFile, ['at-rest']);
    keyring.reload(keyringFile);
    const newKey = keyring.current('at-rest').id;
    assert.notEqual(newKey, oldKey);
    const fresh = await call(app.fastify, 'POST', `/v1/spaces/${spaceId}/messages`, { token, body: { text: 'after rotation' } });
    const stored = await database.db.selectFrom('messages').select('text').where('id', '=', fresh.json.id).executeTakeFirstOrThrow();
    assert.equal(keyIdOf(stored.text), newKey);
    const before = await call(app.fastify, 'GET', `/v1/spaces/${spaceId}/messages?limit=100`, { token });
    assert.equal(before.json.items.length, texts.length + 1, 'old messages readable with the old key');

    const counts = await reencryptAll(database.db, keyring);
    assert.equal(counts['messages.text'], texts.length);
    assert.equal(counts['direct_messages.text'], 0);
    const keyIds = new Set((await database.db.selectFrom('messages').select('text').execute()).map((r) => keyIdOf(r.text)));
    assert.deepEqual([...keyIds], [newKey]);
    assert.ok(Object.values(await reencryptAll(database.db, keyring)).every((n) => n === 0), 'idempotent');
    const after = await call(app.fastify, 'GET', `/v1/spaces/${spaceId}/messages?limit=100`, { token });
    assert.deepEqual(after.json.items.map((m: { text: string }) => m.text).sort(), [...texts, 'after rotation'].sort());
  });
});
