// Requests Node's HTTP parser refuses before Fastify sees them (oversized headers 431,
// unparsable 400, too slow 408) get the same answer as every other rejection, through the
// real HTTPS listener: problem+json with a registry code, the security headers, a request id,
// and an audit record with the precise reason (non-negotiable 3: every rejection is audited).
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { classifyClientError } from '../../../src/pipeline/transport/clientErrors.ts';
import type { Config } from '../../../src/config/schema.ts';
import { startTestServer, type TestServer } from '../../helpers/testServer.ts';

type Limits = Config['resourceLimits'];

/** Writes raw bytes over TLS and returns the raw response. */
function rawExchange(server: TestServer, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: Number(new URL(server.url).port), ca: server.ca, servername: 'localhost' }, () => socket.write(bytes));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve(text));
    // The server closes while a too-large request is still arriving: the reset may follow its answer.
    socket.on('error', (err) => (text ? resolve(text) : reject(err)));
  });
}

describe('requests refused by the HTTP parser', () => {
  let server: TestServer;
  const recordsOf = async (requestId: string) => {
    await server.app.auditLog.flush();
    return server.database.db.selectFrom('audit_log').select(['phase', 'status', 'outcome', 'reason', 'actor', 'client_address'])
      .where('request_id', '=', requestId).orderBy('seq').execute();
  };

  before(async () => {
    server = await startTestServer({ listen: true, config: { resourceLimits: { maxHeaderBytes: 4096 } as Limits } });
  });
  after(() => server.close());

  it('oversized headers: 431 headers_too_large as problem+json with the security headers, and audited', async () => {
    // Over GATEHOUSE_MAX_HEADER_BYTES: refused in stage 1b; past Node's parser ceiling: by the parser.
    for (const [size, reason] of [[8000, /^headers_too_large: transport: header block of \d+ bytes over 4096/], [70_000, /^headers_too_large: transport: header block over the parser ceiling/]] as const) {
      const raw = await rawExchange(server, `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Filler: ${'a'.repeat(size)}\r\nConnection: close\r\n\r\n`);
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      assert.match(head, /^HTTP\/1\.1 431 /, `${size} bytes`);
      assert.match(head, /\r\ncontent-type: application\/problem\+json; charset=utf-8\r\n/);
      assert.match(head, /\r\nstrict-transport-security: max-age=\d+/);
      assert.match(head, /\r\nx-content-type-options: nosniff\r\n/);
      const problem = JSON.parse(body);
      assert.equal(problem.code, 'headers_too_large');
      assert.match(head, new RegExp(`\r\nx-request-id: ${problem.requestId}\r\n`));
      const records = await recordsOf(problem.requestId);
      assert.deepEqual(records.map((r) => [r.phase, r.status, r.outcome, r.actor, r.client_address]), [
        ['attempt', null, 'pending', 'anonymous', '127.0.0.1'],
        ['outcome', 431, 'error', 'anonymous', '127.0.0.1'],
      ], `${size} bytes`);
      assert.match(records[1]!.reason, reason);
    }
  });

  it('an unparsable request: 400 invalid_request as problem+json, and audited', async () => {
    const raw = await rawExchange(server, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nthis is not a header\r\n\r\n');
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 400 /);
    assert.match(head, /\r\ncontent-type: application\/problem\+json; charset=utf-8\r\n/);
    assert.match(head, /\r\nstrict-transport-security: max-age=/);
    const problem = JSON.parse(body);
    assert.equal(problem.code, 'invalid_request');
    const records = await recordsOf(problem.requestId);
    assert.equal(records.length, 2);
    assert.match(records[1]!.reason, /^invalid_request: transport: unparsable HTTP request \(HPE_/);
  });

  it('maps a request timeout to 408 request_timeout', () => {
    assert.equal(classifyClientError('ERR_HTTP_REQUEST_TIMEOUT').code, 'request_timeout');
    assert.equal(classifyClientError('HPE_HEADER_OVERFLOW').code, 'headers_too_large');
    assert.equal(classifyClientError('HPE_INVALID_METHOD').code, 'invalid_request');
  });
});
