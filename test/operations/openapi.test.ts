// The OpenAPI document is complete and agrees with the contract: every live route is in it
// with the security its policy enforces, every route of API.md is served (except those whose
// issue is still open, listed below with the issue), and /docs renders it under a CSP that
// allows no script.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ERROR_CODES } from '../../src/errors/codes.ts';
import { call } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const contract = JSON.parse(readFileSync(new URL('../fixtures/api-contract-routes.json', import.meta.url), 'utf8')) as { routes: string[] };

/** Contract routes whose issue is still open. This list may only shrink. */
const NOT_YET: Record<string, string> = {
};

describe('OpenAPI document and /docs', () => {
  let server: TestServer;
  let spec: { paths: Record<string, Record<string, { security?: unknown[]; 'x-gatehouse-policy'?: string; responses?: Record<string, unknown> }>> };

  before(async () => {
    server = await startTestServer();
    const res = await call(server.app.fastify, 'GET', '/openapi.json');
    assert.equal(res.status, 200);
    spec = res.json;
  });
  after(() => server.close());

  const operations = () =>
    Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => m !== 'head').map((m) => `${m.toUpperCase()} ${path}`));

  it('serves every contract route, apart from the listed open issues', () => {
    const served = new Set(operations());
    const missing = contract.routes.filter((r) => !served.has(r) && !(r in NOT_YET));
    assert.deepEqual(missing, []);
    const nowServed = Object.keys(NOT_YET).filter((r) => served.has(r));
    assert.deepEqual(nowServed, [], 'remove these from NOT_YET: they are served now');
  });

  it('describes the security of every operation from its policy', () => {
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        assert.ok(op['x-gatehouse-policy'], `${method} ${path} has no policy description`);
        const isPublic = op['x-gatehouse-policy']!.startsWith('Public');
        assert.equal(Array.isArray(op.security) && op.security.length === 0, isPublic, `${method} ${path}: security does not match the policy`);
      }
    }
  });

  it('documents the problem+json error responses of every /v1 operation', () => {
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (!path.startsWith('/v1/')) continue;
      for (const [method, op] of Object.entries(ops)) {
        assert.ok(op.responses?.['4XX'], `${method} ${path} does not document its errors`);
      }
    }
  });

  it('lists every route of the live route table', () => {
    const documented = new Set(operations());
    const live = server.app.routes
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    assert.ok(live.length >= 20);
    assert.deepEqual(live.filter((r) => !documented.has(r)), []);
    assert.equal(documented.size, new Set(live).size);
  });

  it('renders /docs with every route and every error code, under a CSP without scripts', async () => {
    const res = await call(server.app.fastify, 'GET', '/docs');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /script-src|unsafe-inline/);
    assert.doesNotMatch(res.body, /<script/i);
    for (const op of operations()) assert.ok(res.body.includes(op.split(' ')[1]!.replace(/[{}]/g, (c) => c)), `${op} missing from /docs`);
    for (const code of Object.keys(ERROR_CODES)) assert.ok(res.body.includes(`id="error-${code}"`), `error code ${code} missing from /docs`);
  });

  it('problem type URIs point at the error table in /docs', async () => {
    const res = await call(server.app.fastify, 'GET', '/v1/spaces');
    assert.equal(res.json.type, '/docs#error-unauthenticated');
  });
});
