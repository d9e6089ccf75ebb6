// Encryption at rest as the database itself sees it, on whichever backend the suite runs
// (SQLite for `npm test`, PostgreSQL for `npm run test:postgres`): after known messages,
// direct messages and a TOTP enrolment are stored, no column of any table holds their
// plaintext. (atRest.test.ts scans the SQLite file's bytes; this scans the table contents.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, userWithToken } from '../../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

const MARKER = 'ATREST-MARKER-the eagle lands at noon';

describe('no plaintext in any table', () => {
  const clock = fakeClock();
  let server: TestServer;
  let totpSecret: string;

  before(async () => {
    server = await startTestServer({ clock });
    const app = server.app.fastify;
    const alice = await userWithToken(app, 'alice');
    const bob = await userWithToken(app, 'bob');
    const space = await call(app, 'POST', '/v1/spaces', { token: alice.token, body: { name: 'vault' } });
    for (let i = 0; i < 5; i++) {
      assert.equal((await call(app, 'POST', `/v1/spaces/${space.json.id}/messages`, { token: alice.token, body: { text: `${MARKER} ${i}` } })).status, 201);
    }
    await call(app, 'PUT', '/v1/contacts/bob', { token: alice.token });
    await call(app, 'PUT', '/v1/contacts/alice', { token: bob.token });
    assert.equal((await call(app, 'POST', '/v1/direct/bob/messages', { token: alice.token, body: { text: `${MARKER} direct` } })).status, 201);
    const totp = await call(app, 'POST', '/v1/users/me/mfa/totp', { token: bob.token });
    assert.equal(totp.status, 200);
    totpSecret = totp.json.secret;
    await server.app.auditLog.flush();
  });
  after(() => server.close());

  it('finds the marker in no table, and the TOTP secret nowhere in clear', async () => {
    const tables = ['users', 'api_tokens', 'sessions', 'spaces', 'space_members', 'messages', 'audit_log',
      'contact_requests', 'direct_messages', 'capabilities', 'totp_credentials', 'recovery_codes'] as const;
    let rowsSeen = 0;
    for (const table of tables) {
      const rows = await server.database.db.selectFrom(table).selectAll().execute();
      rowsSeen += rows.length;
      const text = JSON.stringify(rows);
      assert.ok(!text.includes('ATREST-MARKER') && !text.includes('eagle'), `${table} holds a message body in clear`);
      assert.ok(!text.includes(totpSecret), `${table} holds the TOTP secret in clear`);
    }
    // The scan looked at real data: the bodies are there, encrypted.
    const stored = await server.database.db.selectFrom('messages').select('text').execute();
    assert.equal(stored.length, 5);
    for (const row of stored) assert.match(row.text, /^v1\./);
    assert.ok(rowsSeen > 20);
  });
});
