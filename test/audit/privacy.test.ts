// The audit log holds personal data and must hold no secrets (issue 5, "Retention and
// privacy"): no password, bearer token, session cookie, CSRF token, query string or message
// body may reach a record, whatever the request carried; and client addresses are kept only
// to the prefix the operator configures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { ConfigError, loadConfig } from '../../src/config/loadConfig.ts';
import { truncateAddress } from '../../src/pipeline/audit/clientAddress.ts';
import { basicAuth, call, passwordFor, userWithToken } from '../helpers/api.ts';
import { startTestServer } from '../helpers/testServer.ts';

describe('audit records and privacy', () => {
  it('contain no credential, cookie, token, query string or message body', async () => {
    const server = await startTestServer();
    try {
      const app = server.app.fastify;
      const alice = await userWithToken(app, 'alice');
      const login = await call(app, 'POST', '/v1/sessions', { body: { username: 'alice', password: passwordFor('alice') } });
      assert.equal(login.status, 201);
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const space = await call(app, 'POST', '/v1/spaces', { headers: { cookie, 'x-csrf-token': login.json.csrfToken }, body: { name: 'private name' } });
      assert.equal(space.status, 201);
      const body = 'MESSAGE-BODY-7f3a the launch code is 0000';
      assert.equal((await call(app, 'POST', `/v1/spaces/${space.json.id}/messages`, { token: alice.token, body: { text: body } })).status, 201);
      await call(app, 'GET', `/v1/spaces?access_token=${alice.token}&q=QUERY-SECRET`, { token: alice.token });
      await call(app, 'GET', '/v1/spaces', { token: `${alice.token}x` }); // a wrong token: the reason must not echo it
      await call(app, 'POST', '/v1/tokens', { headers: { authorization: basicAuth('alice', 'WRONG-PASSWORD-91') }, body: { name: 'x' } });
      await server.app.auditLog.flush();

      const rows = await sql<Record<string, unknown>>`select * from audit_log`.execute(server.database.db);
      assert.ok(rows.rows.length >= 14);
      const dump = JSON.stringify(rows.rows);
      const secrets = {
        password: passwordFor('alice'), wrongPassword: 'WRONG-PASSWORD-91', bearerToken: alice.token,
        tokenSecret: alice.token.split('.').at(-1)!, sessionCookie: cookie.split('=').slice(1).join('='),
        csrfToken: login.json.csrfToken, messageBody: 'MESSAGE-BODY-7f3a', querySecret: 'QUERY-SECRET', spaceName: 'private name',
      };
      for (const [what, secret] of Object.entries(secrets)) assert.ok(!dump.includes(secret), `the audit log contains the ${what}`);
      assert.ok(dump.includes('"/v1/spaces"'), 'the resource is recorded, without its query string');
    } finally {
      await server.close();
    }
  });

  it('truncates client addresses to the configured prefix, through the pipeline', async () => {
    const server = await startTestServer({ config: { auditAddressPrefixV4: 24, auditAddressPrefixV6: 48 } });
    try {
      for (const remoteAddress of ['203.0.113.77', '2001:db8:abcd:1234::1']) {
        await server.app.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress });
      }
      await server.app.auditLog.flush();
      const rows = await server.database.db.selectFrom('audit_log').select('client_address').distinct().execute();
      assert.deepEqual(rows.map((r) => r.client_address).sort(), ['2001:db8:abcd::/48', '203.0.113.0/24']);
    } finally {
      await server.close();
    }
  });

  it('truncation: mapped IPv4 counts as IPv4, full prefixes keep the address, non-addresses pass through', () => {
    const p = { v4: 16, v6: 32 };
    assert.equal(truncateAddress('198.51.100.200', p), '198.51.0.0/16');
    assert.equal(truncateAddress('::ffff:198.51.100.200', p), '198.51.0.0/16');
    assert.equal(truncateAddress('2001:db8:1:2::3', p), '2001:db8::/32');
    assert.equal(truncateAddress('198.51.100.200', { v4: 20, v6: 128 }), '198.51.96.0/20');
    assert.equal(truncateAddress('198.51.100.200', { v4: 0, v6: 0 }), '0.0.0.0/0');
    assert.equal(truncateAddress('198.51.100.200', { v4: 32, v6: 128 }), '198.51.100.200');
    assert.equal(truncateAddress('unknown', p), 'unknown');
  });

  it('is configured by GATEHOUSE_AUDIT_ADDRESS_PREFIX_V4/_V6, validated at start', () => {
    const config = loadConfig({ GATEHOUSE_AUDIT_ADDRESS_PREFIX_V4: '24', GATEHOUSE_AUDIT_ADDRESS_PREFIX_V6: '56' });
    assert.equal(config.auditAddressPrefixV4, 24);
    assert.equal(config.auditAddressPrefixV6, 56);
    assert.equal(loadConfig({}).auditAddressPrefixV4, 32, 'default: the whole address');
    assert.throws(() => loadConfig({ GATEHOUSE_AUDIT_ADDRESS_PREFIX_V4: '33' }), (e: Error) => e instanceof ConfigError && /GATEHOUSE_AUDIT_ADDRESS_PREFIX_V4/.test(e.message));
  });
});
