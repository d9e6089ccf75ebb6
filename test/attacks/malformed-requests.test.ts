// Malformed HTTP/1.1 on the real HTTPS listener (request smuggling shapes, unknown methods,
// oversized header blocks). Node's parser refuses these before any Fastify hook runs; the
// answers used to be Fastify's default, bare JSON without the security headers (found by the
// raw-connection fuzz of `npm run verify:attacks`). Now every one is problem+json with a
// registered code and the security headers, and the connection is closed. A header block over
// GATEHOUSE_MAX_HEADER_BYTES is refused in the pipeline (431 headers_too_large), where the
// method is known: a HEAD gets no body (it used to, which Node's client took for a protocol
// error, found by the same fuzz).
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../../src/config/schema.ts';
import { ERROR_CODES } from '../../src/errors/codes.ts';
import { clientErrorCode, clientErrorResponse } from '../../src/pipeline/transport/clientErrors.ts';
import { buildSecurityHeaders } from '../../src/pipeline/hardening/securityHeaders.ts';
import { httpsRequest, startTestServer, type TestServer } from '../helpers/testServer.ts';

/** Sends bytes on a fresh TLS connection; resolves with everything the server wrote before closing. */
function exchange(server: TestServer, bytes: string): Promise<string> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: Number(port), ca: server.ca, servername: 'localhost' }, () => socket.write(bytes));
    let out = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (c: Buffer) => (out += c.toString('latin1')));
    socket.on('close', () => resolve(out));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve(out) : reject(err)));
  });
}

function parse(answer: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', ...rest] = answer.split('\r\n\r\n');
  const headers = Object.fromEntries(head.split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers, body: rest.join('\r\n\r\n') };
}

describe('malformed requests on the real listener', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ listen: true, config: { resourceLimits: { maxHeaderBytes: 4096 } as Config['resourceLimits'] } });
  });
  after(() => server.close());

  const malformed: Record<string, string> = {
    'two Content-Length headers': 'GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
    'Content-Length and Transfer-Encoding': 'POST /v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'an unknown method': 'FOO /v1/spaces HTTP/1.1\r\nHost: localhost\r\n\r\n',
    'TRACK (no method to Node)': 'TRACK /v1/spaces HTTP/1.1\r\nHost: localhost\r\n\r\n',
    'a header name with a space': 'GET / HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n\r\n',
    'a bad chunk size': 'POST /v1/users HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  };
  for (const [name, bytes] of Object.entries(malformed)) {
    it(`${name}: 400 invalid_request as problem+json with the security headers, then close`, async () => {
      const res = parse(await exchange(server, bytes));
      assert.equal(res.status, 400);
      assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
      assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers.connection, 'close');
      const body = JSON.parse(res.body);
      assert.equal(body.code, 'invalid_request');
      assert.equal(body.status, 400);
      assert.equal(body.requestId, res.headers['x-request-id']);
    });
  }

  it('a header block over the configured bound: 431 headers_too_large, through the pipeline', async () => {
    const res = await httpsRequest(server, 'GET', '/healthz', { headers: { 'x-filler': 'a'.repeat(6000) } });
    assert.equal(res.status, 431);
    assert.equal(res.json.code, 'headers_too_large');
    assert.ok(res.headers['strict-transport-security']);
  });

  it('the same as HEAD: 431 without a body, so the client can read the next answer', async () => {
    const answer = await exchange(server, `HEAD /healthz HTTP/1.1\r\nHost: localhost\r\nX-Filler: ${'a'.repeat(6000)}\r\nConnection: close\r\n\r\n`);
    const res = parse(answer);
    assert.equal(res.status, 431);
    assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(res.body, '', 'no body after the head of a HEAD answer');
  });

  it('past Node\'s ceiling (64 KiB) the parser refuses it mid-stream: the client still reads its 431 (lingering close)', async () => {
    // Found by the fuzz: the connection was destroyed while the client was still sending, so
    // the reset discarded the answer and the client saw only ECONNRESET.
    const res = parse(await exchange(server, `GET /healthz?${'a'.repeat(70_000)} HTTP/1.1\r\nHost: localhost\r\nX-Filler: ${'b'.repeat(70_000)}\r\n\r\n`));
    assert.equal(res.status, 431);
    assert.equal(JSON.parse(res.body).code, 'headers_too_large');
  });
});

describe('the client-error answer (pure)', () => {
  it('maps Node\'s errors to registered codes with the right status', () => {
    assert.equal(clientErrorCode('ERR_HTTP_REQUEST_TIMEOUT'), 'request_timeout');
    assert.equal(clientErrorCode('HPE_HEADER_OVERFLOW'), 'headers_too_large');
    assert.equal(clientErrorCode('HPE_INVALID_METHOD'), 'invalid_request');
    assert.equal(ERROR_CODES.request_timeout.status, 408);
    assert.equal(ERROR_CODES.headers_too_large.status, 431);
  });

  it('a HEAD answer carries the length of the body it leaves out', () => {
    const headers = buildSecurityHeaders({ hstsMaxAgeSeconds: 60 });
    const full = clientErrorResponse('request_timeout', headers, { requestId: 'r1' });
    const head = clientErrorResponse('request_timeout', headers, { requestId: 'r1', head: true });
    assert.match(full, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.equal(head, full.slice(0, full.indexOf('\r\n\r\n') + 4));
    assert.equal(JSON.parse(full.slice(full.indexOf('\r\n\r\n') + 4)).code, 'request_timeout');
  });
});
