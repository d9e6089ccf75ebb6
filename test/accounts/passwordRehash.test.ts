// Transparent rehash: a password hashed with older argon2 parameters is rehashed with today's
// at the next successful login (the only moment the server has the password), and never on
// a failed one.
import assert from 'node:assert/strict';
import { hash } from '@node-rs/argon2';
import { after, before, describe, it } from 'node:test';
import { needsRehash } from '../../src/accounts/passwordHashing.ts';
import { call, passwordFor } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('password rehash on login', () => {
  let server: TestServer;
  const storedHash = async () =>
    (await server.database.db.selectFrom('users').select('password_hash').where('username', '=', 'oldtimer').executeTakeFirstOrThrow()).password_hash;

  before(async () => {
    server = await startTestServer();
    const old = await hash(passwordFor('oldtimer'), { algorithm: 2, memoryCost: 4096, timeCost: 3, parallelism: 1 });
    await server.database.db.insertInto('users').values({ id: 'u-old', username: 'oldtimer', password_hash: old, is_admin: 0, disabled: 0, created_at: 0 }).execute();
  });
  after(() => server.close());

  it('keeps the old hash after a failed login', async () => {
    const before = await storedHash();
    const res = await call(server.app.fastify, 'POST', '/v1/sessions', { body: { username: 'oldtimer', password: 'Wrong-password-for-him-1' } });
    assert.equal(res.status, 401);
    assert.equal(await storedHash(), before);
    assert.ok(needsRehash(before));
  });

  it('rehashes with the current parameters after a successful login, and the password still works', async () => {
    const res = await call(server.app.fastify, 'POST', '/v1/sessions', { body: { username: 'oldtimer', password: passwordFor('oldtimer') } });
    assert.equal(res.status, 201);
    const after = await storedHash();
    assert.match(after, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(needsRehash(after), false);
    assert.equal((await call(server.app.fastify, 'POST', '/v1/sessions', { body: { username: 'oldtimer', password: passwordFor('oldtimer') } })).status, 201);
  });
});
