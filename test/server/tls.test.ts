// TLS as the transport stage serves it: HTTP/2 offered by ALPN next to HTTP/1.1 (when
// GATEHOUSE_HTTP2 is on), session
// resumption for returning clients, a certificate reload (SIGHUP's work) under load that
// drops no request, and the optional plain-HTTP listener that only redirects.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { generateDevCertificate } from '../../src/server/devCertificate.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';

describe('TLS listener', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  let server: RunningServer;
  let port: number;
  let certA: { cert: string; key: string };
  let certB: { cert: string; key: string };
  const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

  before(async () => {
    certA = await generateDevCertificate(new Date());
    certB = await generateDevCertificate(new Date());
    fs.writeFileSync(certFile, certA.cert, { mode: 0o600 });
    fs.writeFileSync(keyFile, certA.key, { mode: 0o600 });
    server = await startServer(loadConfig({
      GATEHOUSE_DATA_DIR: path.join(dir, 'data'), GATEHOUSE_PORT: '0', GATEHOUSE_LOG_LEVEL: 'silent',
      GATEHOUSE_TLS_CERT: certFile, GATEHOUSE_TLS_KEY: keyFile, GATEHOUSE_HTTP_REDIRECT_PORT: '0', GATEHOUSE_HTTP2: 'true',
      GATEHOUSE_RATE_ADDRESS_PER_SECOND: '100000', GATEHOUSE_RATE_GLOBAL_PER_SECOND: '100000',
      // Load shedding is tested on its own; here a busy test machine must not turn into 503s.
      GATEHOUSE_SHED_EVENT_LOOP_DELAY_MS: '60000',
    }));
    port = Number(new URL(server.url).port);
  });
  after(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('speaks HTTP/2 when the client offers it by ALPN, HTTP/1.1 otherwise', async () => {
    const session = http2.connect(`https://localhost:${port}`, { ca: certA.cert });
    const status = await new Promise<number>((resolve, reject) => {
      const req = session.request({ ':path': '/healthz' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
      req.resume();
      req.end();
    });
    assert.equal(status, 200);
    assert.equal(session.alpnProtocol, 'h2');
    session.destroy();
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certA.cert, ALPNProtocols: ['http/1.1'] });
    await new Promise((r) => socket.once('secureConnect', r));
    assert.equal(socket.alpnProtocol, 'http/1.1');
    socket.end();
  });

  it('resumes TLS sessions for returning clients', async () => {
    const connect = (session?: Buffer) =>
      new Promise<{ reused: boolean; session: Buffer | undefined }>((resolve, reject) => {
        let saved: Buffer | undefined;
        const s = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certA.cert, ...(session ? { session } : {}) });
        s.on('session', (sess: Buffer) => (saved = sess));
        s.once('secureConnect', () => {
          s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
        });
        s.on('data', () => {});
        s.on('end', () => resolve({ reused: s.isSessionReused(), session: saved }));
        s.on('error', reject);
      });
    const first = await connect();
    assert.ok(first.session, 'the server issued a session ticket');
    const second = await connect(first.session);
    assert.equal(second.reused, true);
  });

  it('reloads the certificate under load without dropping a request', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: [certA.cert, certB.cert] });
    let ok = 0;
    const failures: string[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        await new Promise<void>((resolve) => {
          https.get({ host: '127.0.0.1', port, path: '/healthz', servername: 'localhost', agent }, (res) => {
            res.resume();
            res.on('end', () => { if (res.statusCode === 200) ok++; else failures.push(String(res.statusCode)); resolve(); });
          }).on('error', (e) => { failures.push(e.message); resolve(); });
        });
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((r) => setTimeout(r, 300));
    fs.writeFileSync(certFile, certB.cert);
    fs.writeFileSync(keyFile, certB.key);
    await server.reload();
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await Promise.all(workers);
    agent.destroy();
    assert.deepEqual(failures, []);
    assert.ok(ok > 10, `only ${ok} requests completed`);
    // A new connection that trusts both certificates (as a client of the old and the new one
    // does) verifies the new one.
    const fresh = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: [certA.cert, certB.cert] });
    await new Promise((r) => fresh.once('secureConnect', r));
    assert.equal(fresh.getPeerX509Certificate()?.fingerprint256, fingerprint(certB.cert));
    fresh.end();
  });

  it('keeps serving the old certificate when the new files are unusable', async () => {
    fs.writeFileSync(keyFile, certA.key); // does not match certB
    await assert.rejects(server.reload(), /does not match/);
    fs.writeFileSync(keyFile, certB.key);
    const s = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certB.cert });
    await new Promise((r) => s.once('secureConnect', r));
    assert.equal(s.getPeerX509Certificate()?.fingerprint256, fingerprint(certB.cert));
    s.end();
  });

  it('answers plain HTTP on the redirect port with 308 to HTTPS, and only that', async () => {
    const get = (headers: Record<string, string>, urlPath: string) =>
      new Promise<http.IncomingMessage>((resolve, reject) =>
        http.get({ host: '127.0.0.1', port: server.redirectPort!, path: urlPath, headers }, resolve).on('error', reject));
    const res = await get({ host: 'localhost:8080' }, '/v1/spaces?x=1');
    assert.equal(res.statusCode, 308);
    assert.equal(res.headers.location, `https://localhost:${port}/v1/spaces?x=1`);
    res.resume();
    // A Host header that is not a host name must not end up in the Location header.
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(server.redirectPort!, '127.0.0.1', () =>
        socket.write('GET //evil.example/x HTTP/1.1\r\nHost: evil.example" onload="x\r\nConnection: close\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 308/);
    assert.match(raw, new RegExp(`\r\nlocation: https://localhost:${port}/\r\n`, 'i'));
    assert.doesNotMatch(raw, /evil/);
  });
});
