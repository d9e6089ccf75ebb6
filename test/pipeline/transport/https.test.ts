// Transport, over the real HTTPS listener (startTestServer({ listen: true })). Proves: TLS 1.2
// and 1.3 are accepted; TLS 1.1 and 1.0 are refused by the server with a protocol_version
// alert, and TLS 1.2 without an AEAD cipher is refused (each with a control server showing
// that the same client can connect when a server allows it, so the refusal is ours);
// plain HTTP sent to the TLS port gets no HTTP answer at all; responses carry HSTS and the
// other security headers and no Server / X-Powered-By; the request id is the server's own,
// never one a client sent; slow-request limits are set on the listener (MISSION.md §1.4).
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { httpsRequest, startTestServer, testCertificate, type TestServer } from '../../helpers/testServer.ts';

type Handshake = { ok: true; protocol: string | null; cipher: string } | { ok: false; code: string };

/** Opens a TLS connection with the given client options and reports what was negotiated. */
function handshake(port: number, ca: string, options: tls.ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...options }, () => {
      resolve({ ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: String(err.code) }));
  });
}

/** Old protocol versions need OpenSSL's security level 0 on the client side. */
const LEGACY = { ciphers: 'DEFAULT:@SECLEVEL=0' } as const;
const CBC_ONLY = { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES128-SHA' } as const;

describe('transport over the real HTTPS listener', () => {
  let server: TestServer;
  let port: number;
  let control: tls.Server;
  let controlPort: number;

  before(async () => {
    server = await startTestServer({ listen: true });
    port = Number(new URL(server.url).port);
    // A deliberately permissive TLS server with the same certificate: the control group.
    control = tls.createServer({ ...(await testCertificate()), minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }, (s) => s.end());
    await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
    controlPort = (control.address() as net.AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => control.close(resolve));
    await server.close();
  });

  it('accepts TLS 1.2 (forward-secret AEAD suite) and TLS 1.3', async () => {
    const v12 = await handshake(port, server.ca, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    assert.ok(v12.ok, JSON.stringify(v12));
    assert.equal(v12.protocol, 'TLSv1.2');
    assert.match(v12.cipher, /^ECDHE-.*(GCM|CHACHA20-POLY1305)/);
    const v13 = await handshake(port, server.ca, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    assert.ok(v13.ok, JSON.stringify(v13));
    assert.equal(v13.protocol, 'TLSv1.3');
  });

  it('refuses TLS 1.1 and 1.0 with a protocol_version alert', async () => {
    for (const version of ['TLSv1.1', 'TLSv1'] as const) {
      const allowedElsewhere = await handshake(controlPort, server.ca, { minVersion: version, maxVersion: version, ...LEGACY });
      assert.ok(allowedElsewhere.ok && allowedElsewhere.protocol === (version === 'TLSv1' ? 'TLSv1' : 'TLSv1.1'), `control: this client can speak ${version}: ${JSON.stringify(allowedElsewhere)}`);
      const ours = await handshake(port, server.ca, { minVersion: version, maxVersion: version, ...LEGACY });
      assert.deepEqual(ours, { ok: false, code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' }, version);
    }
  });

  it('refuses TLS 1.2 clients that offer only CBC (non-AEAD) suites', async () => {
    const allowedElsewhere = await handshake(controlPort, server.ca, CBC_ONLY);
    assert.ok(allowedElsewhere.ok, `control: ${JSON.stringify(allowedElsewhere)}`);
    const ours = await handshake(port, server.ca, CBC_ONLY);
    assert.equal(ours.ok, false);
  });

  it('plain HTTP sent to the TLS port gets no HTTP response', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('the server kept a plain-HTTP connection open for 5 s'));
      }, 5000);
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', () => {}); // a reset is as good as a close
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks).toString('latin1'));
      });
    });
    assert.doesNotMatch(received, /HTTP\/1\.[01]/);
    assert.doesNotMatch(received, /"status"\s*:\s*"ok"/);
  });

  it('responses carry HSTS and the other security headers, and no Server or X-Powered-By', async () => {
    for (const [path, status] of [['/healthz', 200], ['/v1/spaces', 401], ['/nowhere', 404]] as const) {
      const res = await httpsRequest(server, 'GET', path);
      assert.equal(res.status, status);
      assert.match(String(res.headers['strict-transport-security']), /^max-age=31536000; includeSubDomains$/, path);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.equal(res.headers.server, undefined);
      assert.equal(res.headers['x-powered-by'], undefined);
    }
  });

  it('the request id is generated by the server; a client-sent one is ignored', async () => {
    const spoofed = 'client-chosen-id-1234';
    const a = await httpsRequest(server, 'GET', '/nowhere', { headers: { 'x-request-id': spoofed } });
    const b = await httpsRequest(server, 'GET', '/nowhere', { headers: { 'x-request-id': spoofed } });
    for (const res of [a, b]) {
      // A UUIDv7: time-ordered, so the audit log's request-id index grows at its end (src/pipeline/transport/requestId.ts).
      assert.match(String(res.headers['x-request-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(res.json.requestId, res.headers['x-request-id']);
    }
    assert.ok(String(a.headers['x-request-id']) < String(b.headers['x-request-id']), 'a later request has a later id');
    await server.app.auditLog.flush();
    const forged = await server.database.db.selectFrom('audit_log').select('seq').where('request_id', '=', spoofed).execute();
    assert.deepEqual(forged, [], 'the audit log never files a request under a client-chosen id');
  });

  it('slow clients are bounded: header and request timeouts are set on the listener', () => {
    const listener = server.app.fastify.server;
    assert.ok(listener.headersTimeout > 0 && listener.headersTimeout <= 30_000, `headersTimeout ${listener.headersTimeout}`);
    assert.ok(listener.requestTimeout > 0 && listener.requestTimeout <= 60_000, `requestTimeout ${listener.requestTimeout}`);
    assert.ok(listener.keepAliveTimeout > 0 && listener.keepAliveTimeout <= 60_000);
  });
});
