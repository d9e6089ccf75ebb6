// Registration through the whole pipeline: POST /v1/users answers 201 {id, username}; a
// taken name is 409 `conflict`, also when many requests race for it (exactly one wins);
// names that are not plain lowercase ASCII (uppercase, too short, look-alikes, spaces) are 400
// naming the field `username`; with open registration switched off only administrators
// create users (anonymous 401, non-admin 403, admin 201).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminWithToken, basicAuth, call, passwordFor } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('registration with open registration (the default)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('creates a user: 201 {id, username}, and the password works for logging in', async () => {
    const res = await call(server.app.fastify, 'POST', '/v1/users', { body: { username: 'alice', password: passwordFor('alice') } });
    assert.equal(res.status, 201);
    assert.equal(res.json.username, 'alice');
    assert.equal(typeof res.json.id, 'string');
    assert.ok(res.json.id.length >= 16, 'an unguessable id');
    assert.ok(!res.body.includes(passwordFor('alice')), 'the password is not echoed');
    assert.doesNotMatch(res.body, /argon2/, 'nor its hash');
    const login = await call(server.app.fastify, 'POST', '/v1/tokens', {
      headers: { authorization: basicAuth('alice', passwordFor('alice')) },
      body: { name: 'first' },
    });
    assert.equal(login.status, 201);
  });

  it('refuses a taken name with 409 conflict, whatever the password', async () => {
    await call(server.app.fastify, 'POST', '/v1/users', { body: { username: 'bob', password: passwordFor('bob') } });
    const res = await call(server.app.fastify, 'POST', '/v1/users', { body: { username: 'bob', password: passwordFor('other-bob') } });
    assert.equal(res.status, 409);
    assert.equal(res.json.code, 'conflict');
    // The first bob's password still works; the second did not overwrite it.
    const login = await call(server.app.fastify, 'POST', '/v1/tokens', {
      headers: { authorization: basicAuth('bob', passwordFor('bob')) },
      body: { name: 'x' },
    });
    assert.equal(login.status, 201);
  });

  for (const [why, username] of [
    ['uppercase', 'Alice'],
    ['all uppercase', 'CAROL'],
    ['too short', 'al'],
    ['too long', `a${'b'.repeat(32)}`],
    ['a Cyrillic look-alike letter', '\u0430lice'], // "аlice": Cyrillic а
    ['a Greek look-alike letter', 'b\u03bfb'], // "bοb": Greek omicron
    ['fullwidth letters', '\uff41\uff4c\uff49\uff43\uff45'],
    ['a space inside', 'al ice'],
    ['a trailing space', 'alice '],
    ['a leading digit', '1alice'],
    ['punctuation', 'alice.smith'],
    ['an empty name', ''],
  ] as const) {
    it(`refuses a username with ${why}: 400 naming the field username`, async () => {
      const res = await call(server.app.fastify, 'POST', '/v1/users', { body: { username, password: passwordFor('someone-else') } });
      assert.equal(res.status, 400);
      assert.equal(res.json.code, 'invalid_request');
      assert.equal(res.json.field, 'username');
      assert.doesNotMatch(res.body, /"stack"|at .*\.ts:\d+/, 'no stack trace');
    });
  }

  it('refuses a body with unknown fields (no mass assignment of isAdmin)', async () => {
    const res = await call(server.app.fastify, 'POST', '/v1/users', { body: { username: 'mallory', password: passwordFor('mallory'), isAdmin: true } });
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 'invalid_request');
    assert.equal(res.json.field, 'isAdmin');
  });

  it('lets exactly one of many concurrent registrations of one name win; the rest get 409', async () => {
    const attempts = Array.from({ length: 8 }, (_, i) =>
      call(server.app.fastify, 'POST', '/v1/users', { body: { username: 'racer', password: passwordFor(`racer-${i}`) } }),
    );
    const results = await Promise.all(attempts);
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) assert.equal(r.json.code, 'conflict');
    const rows = await server.database.db.selectFrom('users').select('id').where('username', '=', 'racer').execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.id, results.find((r) => r.status === 201)!.json.id);
  });
});

describe('registration with openRegistration: false', () => {
  let server: TestServer;
  let adminToken: string;
  let userToken: string;
  before(async () => {
    server = await startTestServer({ config: { openRegistration: false } });
    adminToken = (await adminWithToken(server.app.fastify, server.app.accounts)).token;
    // Registration is closed, so the ordinary user is created the way an operator would.
    await server.app.accounts.register('olivia', passwordFor('olivia'));
    const tok = await call(server.app.fastify, 'POST', '/v1/tokens', {
      headers: { authorization: basicAuth('olivia', passwordFor('olivia')) },
      body: { name: 'test' },
    });
    assert.equal(tok.status, 201);
    userToken = tok.json.token;
  });
  after(() => server.close());

  it('answers 401 unauthenticated to anonymous callers, with WWW-Authenticate', async () => {
    const res = await call(server.app.fastify, 'POST', '/v1/users', { body: { username: 'newbie', password: passwordFor('newbie') } });
    assert.equal(res.status, 401);
    assert.equal(res.json.code, 'unauthenticated');
    assert.match(String(res.headers['www-authenticate']), /Bearer/);
  });

  it('answers 403 forbidden to a non-admin bearer token', async () => {
    const res = await call(server.app.fastify, 'POST', '/v1/users', { token: userToken, body: { username: 'newbie', password: passwordFor('newbie') } });
    assert.equal(res.status, 403);
    assert.equal(res.json.code, 'forbidden');
  });

  it('answers 403 forbidden to a non-admin browser session (all scopes, but not an admin)', async () => {
    const login = await call(server.app.fastify, 'POST', '/v1/sessions', { body: { username: 'olivia', password: passwordFor('olivia') } });
    assert.equal(login.status, 201);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const res = await call(server.app.fastify, 'POST', '/v1/users', {
      headers: { cookie, 'x-csrf-token': login.json.csrfToken },
      body: { username: 'newbie', password: passwordFor('newbie') },
    });
    assert.equal(res.status, 403);
    assert.equal(res.json.code, 'forbidden');
  });

  it('creates the user for an administrator: 201, and nothing was created by the refused attempts', async () => {
    const before = await server.database.db.selectFrom('users').select('username').where('username', '=', 'newbie').execute();
    assert.equal(before.length, 0);
    const res = await call(server.app.fastify, 'POST', '/v1/users', { token: adminToken, body: { username: 'newbie', password: passwordFor('newbie') } });
    assert.equal(res.status, 201);
    assert.equal(res.json.username, 'newbie');
    // The new user is an ordinary user, and can get a token.
    const tok = await userWithTokenFor(server, 'newbie');
    assert.equal(tok.status, 201);
    const me = await call(server.app.fastify, 'GET', '/v1/users/me', { token: tok.json.token });
    assert.deepEqual(me.json.roles, ['user']);
  });
});

function userWithTokenFor(server: TestServer, username: string) {
  return call(server.app.fastify, 'POST', '/v1/tokens', { headers: { authorization: basicAuth(username, passwordFor(username)) }, body: { name: 't' } });
}
