// Operations endpoints: liveness and readiness are public; /metrics is for administrators or a
// scraper token with only the "metrics" scope, and it shows each rejection under the stage
// that made it (MISSION.md §1: a rejection is visible as status, audit record and metric).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminWithToken, basicAuth, call, passwordFor, userWithToken } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('health, readiness and metrics', () => {
  let server: TestServer;
  let admin: { token: string; username: string };
  let user: { token: string };

  before(async () => {
    server = await startTestServer({ config: { rateLimit: { globalPerSecond: 100_000, addressPerSecond: 100_000, userPerSecond: 100_000, maxTrackedKeys: 100_000 } } });
    admin = await adminWithToken(server.app.fastify, server.app.accounts);
    user = await userWithToken(server.app.fastify, 'mallory');
  });
  after(() => server.close());

  it('answers /healthz and /readyz without credentials', async () => {
    const live = await call(server.app.fastify, 'GET', '/healthz');
    assert.equal(live.status, 200);
    assert.deepEqual(live.json, { status: 'ok' });
    const ready = await call(server.app.fastify, 'GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json.checks, { database: 'ok', audit: 'ok' });
  });

  it('reports not ready (503) when the database is gone, without saying why to the public', async () => {
    const other = await startTestServer();
    await other.database.close();
    const ready = await call(other.app.fastify, 'GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.json.checks.database, 'failing');
    await other.app.fastify.close();
  });

  it('refuses /metrics to anonymous (401) and to non-administrators (403)', async () => {
    assert.equal((await call(server.app.fastify, 'GET', '/metrics')).status, 401);
    const res = await call(server.app.fastify, 'GET', '/metrics', { token: user.token });
    assert.equal(res.status, 403);
    assert.equal(res.json.code, 'forbidden');
  });

  it('lets only administrators mint a metrics-only token, which reads /metrics and nothing else', async () => {
    const denied = await call(server.app.fastify, 'POST', '/v1/tokens', {
      headers: { authorization: basicAuth('mallory', passwordFor('mallory')) },
      body: { name: 'scraper', scopes: ['metrics'] },
    });
    assert.equal(denied.status, 403);
    const minted = await call(server.app.fastify, 'POST', '/v1/tokens', {
      headers: { authorization: basicAuth(admin.username, passwordFor(admin.username)) },
      body: { name: 'scraper', scopes: ['metrics'] },
    });
    assert.equal(minted.status, 201);
    const scrape = await call(server.app.fastify, 'GET', '/metrics', { token: minted.json.token });
    assert.equal(scrape.status, 200);
    assert.match(String(scrape.headers['content-type']), /^text\/plain/);
    const audit = await call(server.app.fastify, 'GET', '/v1/audit', { token: minted.json.token });
    assert.equal(audit.status, 403);
    assert.equal(audit.json.code, 'insufficient_scope');
  });

  it('counts responses and rejections by the stage that refused them', async () => {
    await call(server.app.fastify, 'GET', '/v1/spaces', { token: 'ght_nope.nope' }); // authentication
    await call(server.app.fastify, 'GET', '/v1/audit', { token: user.token }); // authorization
    await call(server.app.fastify, 'POST', '/v1/spaces', { token: user.token, body: { name: 'x', owner: 'y' } }); // application (400)
    const res = await call(server.app.fastify, 'GET', '/metrics', { token: admin.token });
    assert.equal(res.status, 200);
    assert.match(res.body, /gatehouse_rejections_total\{stage="authentication",code="unauthenticated"\} [1-9]/);
    assert.match(res.body, /gatehouse_rejections_total\{stage="authorization",code="forbidden"\} [1-9]/);
    assert.match(res.body, /gatehouse_rejections_total\{stage="application",code="invalid_request"\} [1-9]/);
    assert.match(res.body, /gatehouse_requests_total\{method="GET",route="\/healthz",status="200"\} [1-9]/);
    assert.match(res.body, /gatehouse_request_duration_seconds_bucket/);
  });
});
