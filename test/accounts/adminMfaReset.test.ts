// An administrator resets the second factors of a user who lost them: TOTP, recovery codes and
// passkeys are removed and the user's sessions and tokens end, in one step; the next login is
// with the password alone. Only administrators may do it; an unknown user is 404.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminWithToken, call, passwordFor, userWithToken } from '../helpers/api.ts';
import { enableTotp } from '../helpers/mfa.ts';
import { fakeClock, startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('administrator resets a user’s MFA', () => {
  const clock = fakeClock();
  let server: TestServer;
  let admin: { token: string };
  let carol: { token: string; id: string };
  const app = () => server.app.fastify;
  const login = (password: string) => call(app(), 'POST', '/v1/sessions', { body: { username: 'carol', password } });

  before(async () => {
    server = await startTestServer({ clock });
    admin = await adminWithToken(app(), server.app.accounts);
    carol = await userWithToken(app(), 'carol');
    await enableTotp(app(), carol.token, clock);
  });
  after(() => server.close());

  it('refuses non-administrators (403) and unknown users (404)', async () => {
    const other = await userWithToken(app(), 'mallory');
    const byUser = await call(app(), 'DELETE', '/v1/admin/users/carol/mfa', { token: other.token });
    assert.equal(byUser.status, 403);
    assert.equal(byUser.json.code, 'forbidden');
    assert.equal((await call(app(), 'DELETE', '/v1/admin/users/nobody/mfa', { token: admin.token })).status, 404);
    assert.equal((await login(passwordFor('carol'))).json.code, 'mfa_required', 'carol still has TOTP');
  });

  it('removes every factor and ends sessions and tokens; the password alone logs in again', async () => {
    clock.advance(60_000);
    const before = await login(passwordFor('carol'));
    assert.equal(before.status, 401);
    assert.equal(before.json.code, 'mfa_required');
    const res = await call(app(), 'DELETE', '/v1/admin/users/carol/mfa', { token: admin.token });
    assert.equal(res.status, 204);
    assert.equal((await call(app(), 'GET', '/v1/users/me', { token: carol.token })).status, 401, 'the old token ended');
    for (const table of ['totp_credentials', 'recovery_codes', 'webauthn_credentials'] as const) {
      const rows = await server.database.db.selectFrom(table).select('user_id').where('user_id', '=', carol.id).execute();
      assert.equal(rows.length, 0, `${table} emptied`);
    }
    const after = await login(passwordFor('carol'));
    assert.equal(after.status, 201, after.body);
  });
});
