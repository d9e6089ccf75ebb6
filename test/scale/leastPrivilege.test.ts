// Least privilege in the database (issue 9): `gatehouse db migrate --runtime-role` as the
// owner creates the role the server runs as. Through the real server on that role, the API
// works (register, write, audit verify); on the audit table the role has only INSERT and
// SELECT, so PostgreSQL itself refuses UPDATE, DELETE, TRUNCATE and DROP: even a compromised
// server process cannot rewrite or remove history (the chapter's rogue administrator).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { main } from '../../src/cli/main.ts';
import { adminWithToken, call, userWithToken } from '../helpers/api.ts';
import { adminQuery } from '../helpers/testDatabase.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { PG_URL } from './services.ts';

const suffix = crypto.randomBytes(5).toString('hex');
const schema = `lp_${suffix}`;
const role = `gh_runtime_${suffix}`;
const withSchema = (url: string, user?: string) => {
  const u = new URL(url);
  if (user) u.username = user;
  u.searchParams.set('schema', schema);
  return u.toString();
};

describe('least privilege: the server runs as a role that cannot rewrite the audit log', () => {
  let server: TestServer;
  let runtime: pg.Client;

  before(async () => {
    await adminQuery(`create schema ${schema}`, PG_URL);
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), readSecret: async () => '', env: { GATEHOUSE_DATABASE_URL: withSchema(PG_URL), GATEHOUSE_DATA_DIR: '/nonexistent' } };
    assert.equal(await main(['db', 'migrate', '--runtime-role', role], io), 0, out.join('\n'));
    server = await startTestServer({ databaseUrl: withSchema(PG_URL, role) });
    runtime = new pg.Client({ connectionString: withSchema(PG_URL, role).replace(/\?.*$/, ''), options: `-c search_path=${schema}` });
    await runtime.connect();
  });

  after(async () => {
    await runtime?.end();
    await server?.close();
    await adminQuery(`drop schema if exists ${schema} cascade`, PG_URL);
    await adminQuery(`drop role if exists ${role}`, PG_URL);
  });

  it('serves the API as the runtime role (it is not a superuser and owns nothing)', async () => {
    const me = await runtime.query('select current_user as u, rolsuper from pg_roles where rolname = current_user');
    assert.deepEqual(me.rows[0], { u: role, rolsuper: false });
    const alice = await userWithToken(server.app.fastify, 'alice');
    const space = await call(server.app.fastify, 'POST', '/v1/spaces', { token: alice.token, body: { name: 'ops' } });
    assert.equal(space.status, 201);
    const msg = await call(server.app.fastify, 'POST', `/v1/spaces/${space.json.id}/messages`, { token: alice.token, body: { text: 'hi' } });
    assert.equal(msg.status, 201);
    const admin = await adminWithToken(server.app.fastify, server.app.accounts);
    await server.app.auditLog.flush();
    const verify = await call(server.app.fastify, 'GET', '/v1/audit/verify', { token: admin.token });
    assert.equal(verify.json.ok, true);
    assert.ok(verify.json.checked > 0);
  });

  for (const [what, statement] of [
    ['UPDATE', `update audit_log set reason = 'nothing happened'`],
    ['DELETE', 'delete from audit_log'],
    ['TRUNCATE', 'truncate audit_log'],
    ['DROP', 'drop table audit_log'],
    ['ALTER', 'alter table audit_log add column forged text'],
    ['writing the prune anchors', `insert into audit_anchors (seq, mac, time, key_id, sig) values (1, 'x', 'x', 'x', 'x')`],
    ['creating a table', 'create table evil (x int)'],
  ] as const) {
    it(`PostgreSQL refuses ${what} on the audit records to the runtime role`, async () => {
      await assert.rejects(runtime.query(statement), (e: { code?: string }) => e.code === '42501', statement);
    });
  }

  it('the records the server wrote are all still there', async () => {
    const rows = await runtime.query('select count(*)::int as n, count(mac)::int as macs from audit_log');
    assert.ok(rows.rows[0].n > 0);
    assert.equal(rows.rows[0].n, rows.rows[0].macs);
  });
});
