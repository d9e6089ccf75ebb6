// Attack: tampering with the TOTP secrets at rest. Someone with write access to the database
// file (but not the keyring) copies the encrypted TOTP secret of an account whose codes they
// can produce over the victim's row, to log in as the victim with their own authenticator.
// The secret is encrypted with associated data naming its row and user, so a moved ciphertext
// does not decrypt: the login fails (as a server fault, logged), never succeeds.
// Every request goes over the real HTTPS listener.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, passwordFor, userWithToken } from '../../helpers/api.ts';
import { codeNow, enableTotp } from '../../helpers/mfa.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('attack: TOTP secret swapped between rows', () => {
  const clock = fakeClock();
  let server: TestServer;
  let attackerSecret: string;

  before(async () => {
    server = await startTestServer({ listen: true, clock });
    const victim = await userWithToken(server, 'victim');
    const attacker = await userWithToken(server, 'attacker');
    await enableTotp(server, victim.token, clock);
    ({ secret: attackerSecret } = await enableTotp(server, attacker.token, clock));
    const db = server.database.db;
    const rows = await db.selectFrom('totp_credentials').innerJoin('users', 'users.id', 'totp_credentials.user_id').select(['totp_credentials.id', 'username', 'secret_encrypted']).execute();
    const stolen = rows.find((r) => r.username === 'attacker')!.secret_encrypted;
    await db.updateTable('totp_credentials').set({ secret_encrypted: stolen }).where('id', '=', rows.find((r) => r.username === 'victim')!.id).execute();
    clock.advance(60_000);
  });
  after(() => server.close());

  it('the attacker’s codes do not open the victim’s account', async () => {
    const res = await call(server, 'POST', '/v1/sessions', { body: { username: 'victim', password: passwordFor('victim'), otp: codeNow(attackerSecret, clock) } });
    assert.notEqual(res.status, 201);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.equal(res.json.code, 'internal_error', 'a tampered row is a server fault, not a wrong code');
    assert.doesNotMatch(res.body, /decrypt|integrity|stack/i);
  });
});
