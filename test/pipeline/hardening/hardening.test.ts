// Input and output hardening through the real pipeline. Proves: every response, errors
// included (400, 401, 403, 404, 409, 413, 414, 415, 429, and requests Fastify rejects before
// any hook, such as a malformed URL), carries the security headers and no X-Powered-By or
// Server header; only JSON bodies are accepted (415 otherwise); bodies over 1 MiB are 413
// whether or not they announce their length; prototype-poisoning bodies, invalid JSON,
// unknown fields and wrong types (never coerced) are 400 invalid_request naming the field;
// and no response ever has a stack trace or a file path: a property test throws random
// bodies and random paths at the server and every answer is < 500 and problem+json when 4xx.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Config } from '../../../src/config/schema.ts';
import { call, userWithToken } from '../../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

const API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const ONE_MIB = 1024 * 1024;

function assertSecurityHeaders(res: LightMyRequestResponse, what: string, csp: string | RegExp = API_CSP): void {
  const h = res.headers;
  assert.equal(h['x-content-type-options'], 'nosniff', what);
  assert.equal(h['cache-control'], 'no-store', what);
  assert.equal(h['x-frame-options'], 'DENY', what);
  if (typeof csp === 'string') assert.equal(h['content-security-policy'], csp, what);
  else assert.match(String(h['content-security-policy']), csp, what);
  assert.match(String(h['strict-transport-security']), /^max-age=\d{7,}; includeSubDomains$/, what);
  assert.equal(h['x-powered-by'], undefined, what);
  assert.equal(h.server, undefined, what);
  assert.match(String(h['x-request-id']), /^[0-9a-f-]{36}$/, what);
}

/** A 4xx/5xx must be problem+json with a stable code and nothing that looks like a stack or a path. */
function assertCleanProblem(res: LightMyRequestResponse, what: string): void {
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/, what);
  const body = res.json();
  assert.equal(body.status, res.statusCode, what);
  assert.match(body.code, /^[a-z_]+$/, what);
  assertNoInternals(res.body, what);
}

function assertNoInternals(text: string, what: string): void {
  assert.doesNotMatch(text, /\bat .+[(:]\d+|\n\s+at |node_modules|\/work\/|\/home\/|[\w-]+\.(ts|js|mjs):\d+/, what);
}

const json = (headers: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...headers });

describe('hardening', () => {
  let server: TestServer;
  let token: string;
  let spaceId: string;
  const inject = (opts: InjectOptions) => server.app.fastify.inject(opts);

  before(async () => {
    server = await startTestServer();
    token = (await userWithToken(server.app.fastify, 'alice')).token;
    spaceId = (await call(server.app.fastify, 'POST', '/v1/spaces', { token, body: { name: 's' } })).json.id;
  });
  after(() => server.close());

  it('every response carries the security headers, whatever its status', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const cases: [number, InjectOptions][] = [
      [200, { method: 'GET', url: '/healthz' }],
      [200, { method: 'HEAD', url: '/healthz' }],
      [201, { method: 'POST', url: '/v1/spaces', headers: json(auth), payload: '{"name":"h"}' }],
      [400, { method: 'POST', url: '/v1/spaces', headers: json(auth), payload: '{"name":' }],
      [400, { method: 'GET', url: '/v1/spaces/%E0%A4%A' }],
      [400, { method: 'GET', url: '/%zz' }],
      [401, { method: 'GET', url: '/v1/spaces' }],
      [403, { method: 'GET', url: '/v1/audit', headers: auth }],
      [404, { method: 'GET', url: '/no/such/thing' }],
      [404, { method: 'GET', url: '/v1/spaces/notmine', headers: auth }],
      [409, { method: 'POST', url: '/v1/users', headers: json(), payload: JSON.stringify({ username: 'alice', password: 'Another-long-passphrase-42' }) }],
      [413, { method: 'POST', url: '/v1/users', headers: json(), payload: `{"username":"${'x'.repeat(ONE_MIB)}"}` }],
      [400, { method: 'GET', url: `/v1/spaces/${'a'.repeat(300)}`, headers: auth }],
      [415, { method: 'POST', url: '/v1/users', headers: { 'content-type': 'text/plain' }, payload: 'hi' }],
    ];
    for (const [status, opts] of cases) {
      const res = await inject(opts);
      const what = `${opts.method} ${String(opts.url).slice(0, 40)}`;
      assert.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 200)}`);
      assertSecurityHeaders(res, what);
      if (status >= 400) assertCleanProblem(res, what);
    }
  });

  it('429 responses carry them too', async () => {
    const limited = await startTestServer({ clock: fakeClock(), config: { rateLimit: { addressPerSecond: 1 } as Config['rateLimit'] } });
    try {
      let res: LightMyRequestResponse | undefined;
      for (let i = 0; i < 3; i++) res = await limited.app.fastify.inject({ method: 'GET', url: '/healthz' });
      assert.equal(res!.statusCode, 429);
      assertSecurityHeaders(res!, '429');
      assertCleanProblem(res!, '429');
    } finally {
      await limited.close();
    }
  });

  it('the /docs page has its own strict CSP, still with no framing and no default sources', async () => {
    const res = await inject({ method: 'GET', url: '/docs' });
    assert.equal(res.statusCode, 200);
    assertSecurityHeaders(res, '/docs', /^default-src 'none';.*frame-ancestors 'none'/);
    assert.doesNotMatch(String(res.headers['content-security-policy']), /unsafe-inline|unsafe-eval|\*/);
  });

  it('only JSON bodies: text, forms, multipart and missing content types are 415', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '']) {
      const res = await inject({ method: 'POST', url: '/v1/users', headers: { 'content-type': contentType }, payload: 'username=a&password=b' });
      assert.equal(res.statusCode, 415, contentType);
      assert.equal(res.json().code, 'unsupported_media_type', contentType);
    }
  });

  it('a body over 1 MiB is 413, with or without Content-Length', async () => {
    const big = `{"text":"${'x'.repeat(ONE_MIB)}"}`;
    const url = `/v1/spaces/${spaceId}/messages`;
    const declared = await inject({ method: 'POST', url, headers: json({ authorization: `Bearer ${token}` }), payload: big });
    assert.equal(declared.statusCode, 413);
    assert.equal(declared.json().code, 'payload_too_large');
    const streamed = await inject({ method: 'POST', url, headers: json({ authorization: `Bearer ${token}` }), payload: Readable.from([big.slice(0, ONE_MIB / 2), big.slice(ONE_MIB / 2)]) });
    assert.equal(streamed.statusCode, 413);
    assert.equal(streamed.json().code, 'payload_too_large');
  });

  it('prototype poisoning is refused (400) and pollutes nothing', async () => {
    const bodies = [
      '{"name":"x","__proto__":{"polluted":true}}',
      '{"name":"x","constructor":{"prototype":{"polluted":true}}}',
      '{"name":"x","nested":{"__proto__":{"polluted":true}}}',
      '{"name":"x","\\u005f\\u005fproto__":{"polluted":true}}',
    ];
    for (const payload of bodies) {
      const res = await inject({ method: 'POST', url: '/v1/spaces', headers: json({ authorization: `Bearer ${token}` }), payload });
      assert.equal(res.statusCode, 400, payload);
      assert.equal(res.json().code, 'invalid_request', payload);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
  });

  it('invalid or empty JSON is 400 invalid_request', async () => {
    for (const payload of ['{"name":', '{name:"x"}', "{'name':'x'}", '{"name":"x",}', 'undefined', '']) {
      const res = await inject({ method: 'POST', url: '/v1/users', headers: json(), payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().code, 'invalid_request');
    }
  });

  it('unknown fields are 400 naming the field; wrong types are never coerced', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const cases: [string, string, unknown, string][] = [
      ['POST', '/v1/spaces', { name: 'x', colour: 'red' }, 'colour'],
      ['POST', `/v1/spaces/${spaceId}/messages`, { text: 123 }, 'text'],
      ['POST', `/v1/spaces/${spaceId}/messages`, { text: ['a'] }, 'text'],
      ['POST', `/v1/spaces/${spaceId}/messages`, { text: null }, 'text'],
      ['POST', '/v1/spaces', { name: true }, 'name'],
      ['POST', '/v1/spaces', {}, 'name'],
      ['PUT', `/v1/spaces/${spaceId}/members/alice`, { role: ['owner'] }, 'role'],
    ];
    for (const [method, url, body, field] of cases) {
      const res = await call(server.app.fastify, method as 'POST', url, { headers: auth, body });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.body}`);
      assert.equal(res.json.code, 'invalid_request');
      assert.equal(res.json.field, field, JSON.stringify(body));
    }
    const messages = await call(server.app.fastify, 'GET', `/v1/spaces/${spaceId}/messages`, { headers: auth });
    assert.deepEqual(messages.json.items, [], 'nothing was stored by coercion');
    // Query strings arrive as text, so there (only) numbers are parsed.
    assert.equal((await call(server.app.fastify, 'GET', `/v1/spaces/${spaceId}/messages?limit=5`, { headers: auth })).status, 200);
    assert.equal((await call(server.app.fastify, 'GET', `/v1/spaces/${spaceId}/messages?limit=five`, { headers: auth })).json.field, 'limit');
  });

  it('property: random bodies never cause a 5xx, a stack trace or a non-problem error', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const targets: [string, string, Record<string, string>][] = [
      ['POST', '/v1/users', {}],
      ['POST', '/v1/sessions', {}],
      ['POST', '/v1/spaces', auth],
      ['POST', `/v1/spaces/${spaceId}/messages`, auth],
      ['PUT', `/v1/spaces/${spaceId}/members/bob`, auth],
      ['POST', '/v1/tokens', auth],
    ];
    const field = fc.constantFrom('username', 'password', 'name', 'text', 'role', 'scopes', 'expiresInSeconds', 'otp', '__proto__', 'constructor', 'owner');
    const body = fc.oneof(
      fc.json({ depthSize: 'small' }),
      fc.dictionary(field, fc.jsonValue({ depthSize: 'small' })).map((o) => JSON.stringify(o)),
      fc.string({ maxLength: 50 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(targets.length - 1), body, async (i, payload) => {
        const [method, url, headers] = targets[i]!;
        const res = await inject({ method: method as 'POST', url, headers: json(headers), payload });
        const what = `${method} ${url} ${payload.slice(0, 80)}`;
        assert.ok(res.statusCode < 500, `${what} → ${res.statusCode} ${res.body}`);
        if (res.statusCode >= 400) assertCleanProblem(res, what);
        assertNoInternals(res.body, what);
      }),
      { numRuns: 250 },
    );
  });

  it('property: random paths and methods never cause a 5xx, a stack trace or a non-problem error', async () => {
    const segment = fc.oneof(
      fc.constantFrom('v1', 'spaces', spaceId, 'members', 'messages', 'users', 'me', 'tokens', 'audit', 'sessions', 'current', '..', '.', '', '%2e%2e', '%2F', '%00', '%zz', '%E0%A4%A', '%', 'a'.repeat(250)),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `/${s.join('/')}`);
    const query = fc.option(fc.dictionary(fc.constantFrom('limit', 'cursor', 'since', 'from', 'to', 'actor', 'x'), fc.string({ maxLength: 20 })), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'), path, query, fc.boolean(), async (method, url, q, authenticated) => {
        const qs = q ? `?${new URLSearchParams(q).toString()}` : '';
        const res = await inject({ method: method as 'GET', url: url + qs, headers: authenticated ? { authorization: `Bearer ${token}` } : {} });
        const what = `${method} ${url}${qs}`;
        assert.ok(res.statusCode < 500, `${what} → ${res.statusCode} ${res.body}`);
        if (res.statusCode >= 400 && method !== 'HEAD') assertCleanProblem(res, what);
        assertNoInternals(res.body, what);
        // The browser UI's page at / has its own CSP (src/web/routes.ts); everything else the API's.
        // ('/..' and the like normalise to '/': recognised by the answer, an HTML page.)
        const page = res.statusCode === 200 && String(res.headers['content-type']).startsWith('text/html');
        assertSecurityHeaders(res, what, page ? PAGE_CSP : API_CSP);
      }),
      { numRuns: 300 },
    );
  });
});
