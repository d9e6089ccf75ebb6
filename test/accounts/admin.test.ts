// Account administration: administrators list users and disable/enable them. Disabling ends
// the user's sessions, API tokens and the capabilities they issued at once (and enabling does
// not revive them); an administrator cannot disable themselves; non-administrators get 403;
// and administrators get no access to spaces or conversations they are not part of.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminWithToken, call, passwordFor, userWithToken } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('account administration', () => {
  let server: TestServer;
  let admin: { token: string };
  let alice: { token: string };
  let bob: { token: string };
  const app = () => server.app.fastify;

  before(async () => {
    server = await startTestServer();
    admin = await adminWithToken(app(), server.app.accounts);
    alice = await userWithToken(app(), 'alice');
    bob = await userWithToken(app(), 'bob');
  });
  after(() => server.close());

  it('lists users page by page, without password hashes', async () => {
    const first = await call(app(), 'GET', '/v1/admin/users?limit=2', { token: admin.token });
    assert.equal(first.status, 200);
    assert.deepEqual(first.json.items.map((u: { username: string }) => u.username), ['admin', 'alice']);
    assert.deepEqual(first.json.items[0].roles, ['user', 'admin']);
    assert.doesNotMatch(first.body, /argon2|password/i);
    const second = await call(app(), 'GET', `/v1/admin/users?limit=2&cursor=${first.json.nextCursor}`, { token: admin.token });
    assert.deepEqual(second.json.items.map((u: { username: string }) => u.username), ['bob']);
    assert.equal(second.json.nextCursor, null);
    assert.equal((await call(app(), 'GET', '/v1/admin/users?cursor=!!', { token: admin.token })).status, 400);
  });

  it('is for administrators only', async () => {
    assert.equal((await call(app(), 'GET', '/v1/admin/users', { token: alice.token })).status, 403);
    assert.equal((await call(app(), 'PATCH', '/v1/admin/users/bob', { token: alice.token, body: { disabled: true } })).status, 403);
    assert.equal((await call(app(), 'GET', '/v1/admin/users')).status, 401);
  });

  it('does not let administrators read spaces or conversations they are not part of', async () => {
    const space = (await call(app(), 'POST', '/v1/spaces', { token: alice.token, body: { name: 'private' } })).json.id;
    const msg = (await call(app(), 'POST', `/v1/spaces/${space}/messages`, { token: alice.token, body: { text: 'alice only' } })).json.id;
    for (const path of [`/v1/spaces/${space}`, `/v1/spaces/${space}/messages`, `/v1/spaces/${space}/messages/${msg}`, `/v1/spaces/${space}/members`, `/v1/spaces/${space}/capabilities`]) {
      const res = await call(app(), 'GET', path, { token: admin.token });
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.body, /alice only/);
    }
    await call(app(), 'PUT', '/v1/contacts/bob', { token: alice.token });
    await call(app(), 'PUT', '/v1/contacts/alice', { token: bob.token });
    await call(app(), 'POST', '/v1/direct/bob/messages', { token: alice.token, body: { text: 'between us' } });
    const dm = await call(app(), 'GET', '/v1/direct/alice/messages', { token: admin.token });
    assert.deepEqual(dm.json.items, []);
  });

  it('disabling ends sessions, tokens and issued capabilities at once; enabling does not revive them', async () => {
    const login = await call(app(), 'POST', '/v1/sessions', { body: { username: 'bob', password: passwordFor('bob') } });
    assert.equal(login.status, 201);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const space = (await call(app(), 'POST', '/v1/spaces', { token: bob.token, body: { name: 'bobs' } })).json.id;
    const cap = (await call(app(), 'POST', `/v1/spaces/${space}/capabilities`, { token: bob.token, body: { permissions: ['read'], expiresInSeconds: 3600 } })).json;
    const capRead = () => call(app(), 'GET', `/v1/spaces/${space}/messages`, { headers: { authorization: `Capability ${cap.token}` } });
    assert.equal((await capRead()).status, 200);

    const disabled = await call(app(), 'PATCH', '/v1/admin/users/bob', { token: admin.token, body: { disabled: true } });
    assert.equal(disabled.status, 200);
    assert.equal(disabled.json.disabled, true);
    assert.equal((await call(app(), 'GET', '/v1/users/me', { token: bob.token })).status, 401);
    assert.equal((await call(app(), 'GET', '/v1/users/me', { headers: { cookie } })).status, 401);
    assert.equal((await capRead()).status, 401);
    assert.equal((await call(app(), 'POST', '/v1/sessions', { body: { username: 'bob', password: passwordFor('bob') } })).status, 401);

    const enabled = await call(app(), 'PATCH', '/v1/admin/users/bob', { token: admin.token, body: { disabled: false } });
    assert.equal(enabled.json.disabled, false);
    assert.equal((await call(app(), 'GET', '/v1/users/me', { token: bob.token })).status, 401, 'old token stays revoked');
    assert.equal((await capRead()).status, 401, 'old capability stays revoked');
    assert.equal((await call(app(), 'POST', '/v1/sessions', { body: { username: 'bob', password: passwordFor('bob') } })).status, 201, 'can log in again');
  });

  it('refuses to disable yourself (409), unknown users (404), and bad bodies (400)', async () => {
    assert.equal((await call(app(), 'PATCH', '/v1/admin/users/admin', { token: admin.token, body: { disabled: true } })).status, 409);
    assert.equal((await call(app(), 'PATCH', '/v1/admin/users/nobody-here', { token: admin.token, body: { disabled: true } })).status, 404);
    assert.equal((await call(app(), 'PATCH', '/v1/admin/users/alice', { token: admin.token, body: { disabled: 'yes' } })).status, 400);
    assert.equal((await call(app(), 'PATCH', '/v1/admin/users/alice', { token: admin.token, body: { disabled: true, isAdmin: true } })).status, 400);
    const one = await call(app(), 'GET', '/v1/admin/users/alice', { token: admin.token });
    assert.equal(one.json.disabled, false);
  });
});
