// Every rejection is on the record (issue 5, "Complete records"; DESIGN.md: a rejected
// request leaves with an audit record, even for 401/429): whichever stage refuses a request,
// it gets an attempt and an outcome record under one request id, with the precise reason the
// client is not told, and never the rejected credential.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { userWithToken } from '../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('rejections are audited with their precise reason', () => {
  const clock = fakeClock();
  let server: TestServer;
  let readOnly: { token: string };

  before(async () => {
    server = await startTestServer({ clock, config: { bodyLimitBytes: 1024, rateLimit: { globalPerSecond: 100_000, addressPerSecond: 1, userPerSecond: 100_000, maxTrackedKeys: 100_000 } } });
    readOnly = await userWithToken(server.app.fastify, 'reader', ['read']);
  });
  after(() => server.close());

  /** Sends a request from its own address (the address limit is 1/s, burst 2) and returns its records. */
  async function recordsOf(remoteAddress: string, options: InjectOptions) {
    clock.advance(10_000);
    const res = await server.app.fastify.inject({ remoteAddress, ...options });
    await server.app.auditLog.flush();
    const rows = await server.database.db.selectFrom('audit_log').selectAll().where('request_id', '=', String(res.headers['x-request-id'])).orderBy('seq').execute();
    return { status: res.statusCode, rows };
  }

  function assertRecorded(result: Awaited<ReturnType<typeof recordsOf>>, status: number, outcome: string, reason: RegExp) {
    assert.equal(result.status, status);
    assert.deepEqual(result.rows.map((r) => r.phase), ['attempt', 'outcome']);
    const outcomeRow = result.rows[1]!;
    assert.equal(outcomeRow.status, status);
    assert.equal(outcomeRow.outcome, outcome);
    assert.match(outcomeRow.reason, reason);
  }

  it('authentication: a bad token is denied (401), and the token is not recorded', async () => {
    const bad = 'ght_nonexistent.c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw';
    const result = await recordsOf('192.0.2.1', { method: 'GET', url: '/v1/spaces', headers: { authorization: `Bearer ${bad}` } });
    assertRecorded(result, 401, 'denied', /^unauthenticated: authentication: /);
    assert.ok(!JSON.stringify(result.rows).includes('c2VjcmV0'));
  });

  it('rate limit: the request over the address limit is denied (429)', async () => {
    clock.advance(10_000);
    for (let i = 0; i < 2; i++) await server.app.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress: '192.0.2.2' });
    const res = await server.app.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress: '192.0.2.2' });
    assert.equal(res.statusCode, 429);
    await server.app.auditLog.flush();
    const rows = await server.database.db.selectFrom('audit_log').selectAll().where('request_id', '=', String(res.headers['x-request-id'])).orderBy('seq').execute();
    assertRecorded({ status: res.statusCode, rows }, 429, 'denied', /^rate_limited: rate limit: address limit exceeded/);
  });

  it('authorization: a read-only token trying to write is denied (403) with the missing scope', async () => {
    const result = await recordsOf('192.0.2.3', { method: 'POST', url: '/v1/spaces', headers: { authorization: `Bearer ${readOnly.token}` }, payload: { name: 'x' } });
    assertRecorded(result, 403, 'denied', /^insufficient_scope: authorization: token lacks scope write/);
    assert.equal(result.rows[0]!.actor, 'reader');
  });

  it('transport limits: a body over the limit (413) and a wrong content type (415) are errors, on the record', async () => {
    const big = await recordsOf('192.0.2.4', { method: 'POST', url: '/v1/users', payload: { username: 'x'.repeat(2000), password: 'y' } });
    assertRecorded(big, 413, 'error', /^payload_too_large: /);
    const text = await recordsOf('192.0.2.5', { method: 'POST', url: '/v1/users', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    assertRecorded(text, 415, 'error', /^unsupported_media_type: /);
  });
});
