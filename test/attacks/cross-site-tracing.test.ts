// Cross-site tracing (XST): TRACE echoes the request back, cookies and Authorization included,
// where a script could read them. Gatehouse never served TRACE, but answered it 404 like any
// unknown route, so nmap's http-methods (run by `npm run verify:attacks`) listed TRACE as
// allowed: its answer differed from a made-up method's 400. TRACE is now 405 on every path,
// with the Allow header RFC 9110 §15.5.6 requires; other methods a path does not serve stay
// 404 (test/authz/matrix.test.ts). TRACK is not a method to Node's parser (400, see
// malformed-requests.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, userWithToken } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('TRACE', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('is 405 method_not_allowed with Allow, signed in or not, and echoes nothing', async () => {
    const { token } = await userWithToken(server.app.fastify, 'tracer');
    for (const headers of [{}, { authorization: `Bearer ${token}` }]) {
      const res = await server.app.fastify.inject({ method: 'TRACE' as 'GET', url: '/v1/spaces', headers: { ...headers, 'x-secret': 'secret-value' } });
      assert.equal(res.statusCode, 405);
      assert.equal(JSON.parse(res.body).code, 'method_not_allowed');
      assert.equal(res.headers.allow, 'GET, HEAD, POST');
      assert.doesNotMatch(res.body, /secret-value|ght_/);
    }
  });

  it('on a path with parameters, Allow lists what that path serves; on no route at all, nothing', async () => {
    const space = await server.app.fastify.inject({ method: 'TRACE' as 'GET', url: '/v1/spaces/abc/messages?limit=1' });
    assert.equal(space.headers.allow, 'GET, HEAD, POST');
    const nowhere = await server.app.fastify.inject({ method: 'TRACE' as 'GET', url: '/no/such/path' });
    assert.equal(nowhere.statusCode, 405);
    assert.equal(nowhere.headers.allow, '');
  });

  it('other methods a path does not serve are still 404', async () => {
    assert.equal((await call(server.app.fastify, 'PATCH', '/v1/spaces')).status, 404);
  });
});
