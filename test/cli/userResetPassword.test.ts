// `gatehouse user reset-password <name>`: an administrator sets a new password from standard
// input; the old password, and every session and token of the user, stop working at once.
// SQLite only (also under npm run test:postgres): the command runs on a data-dir database file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main, type CommandIo } from '../../src/cli/main.ts';
import { basicAuth, call, passwordFor, userWithToken } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

function io(dir: string, secret: string) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CommandIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readSecret: async () => secret,
    env: { GATEHOUSE_DATA_DIR: dir, GATEHOUSE_LOG_LEVEL: 'silent' },
  };
  return { io: value, out, err };
}

describe('gatehouse user reset-password', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-reset-'));
  const newPassword = 'Fresh-horse-battery-staple-42';
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ databaseUrl: `sqlite:${path.join(dir, 'gatehouse.sqlite')}` });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets the new password and ends every session and token of the user', async () => {
    const app = server.app.fastify;
    const alice = await userWithToken(app, 'alice');
    const login = await call(app, 'POST', '/v1/sessions', { body: { username: 'alice', password: passwordFor('alice') } });
    assert.equal(login.status, 201);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;

    const run = io(dir, newPassword);
    assert.equal(await main(['user', 'reset-password', 'alice'], run.io), 0, run.err.join('\n'));
    assert.match(run.out.join('\n'), /ended 1 session\(s\) and 1 token\(s\)/);

    assert.equal((await call(app, 'GET', '/v1/users/me', { token: alice.token })).status, 401);
    assert.equal((await call(app, 'GET', '/v1/users/me', { headers: { cookie } })).status, 401);
    const old = await call(app, 'POST', '/v1/tokens', { headers: { authorization: basicAuth('alice', passwordFor('alice')) }, body: { name: 'x' } });
    assert.equal(old.status, 401);
    const fresh = await call(app, 'POST', '/v1/tokens', { headers: { authorization: basicAuth('alice', newPassword) }, body: { name: 'x' } });
    assert.equal(fresh.status, 201);
  });

  it('refuses a weak password and an unknown user, and explains a wrong invocation', async () => {
    const weak = io(dir, 'password123');
    assert.equal(await main(['user', 'reset-password', 'alice'], weak.io), 1);
    assert.match(weak.err.join('\n'), /too common|at least 12/);
    const unknown = io(dir, newPassword);
    assert.equal(await main(['user', 'reset-password', 'nobody'], unknown.io), 1);
    assert.match(unknown.err.join('\n'), /No user named nobody/);
    const usage = io(dir, newPassword);
    assert.equal(await main(['user', 'reset-password'], usage.io), 2);
    assert.match(usage.err.join('\n'), /missing <username>/);
  });
});
