// With GATEHOUSE_HTTP2 on, the listener speaks HTTP/2 and HTTP/1.1 (ALPN). The HTTP/1.1
// connections it accepts keep the slow-client bounds of the HTTP/1.1-only listener: Node's
// HTTP/2 server would otherwise allow 60 s for a header block and 300 s for a request,
// checked every 30 s. A slowloris over HTTP/1.1 (one header line a second, never the blank
// line) is answered 408 and cut well before 20 s.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

describe('HTTP/2 listener: HTTP/1.1 clients keep the slow-client bounds', { timeout: 60_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ listen: true, config: { http2: true } });
  });
  after(() => server.close());

  it('a slowloris over HTTP/1.1 is answered 408 and cut within the 10 s header bound (plus the 1 s sweep)', async () => {
    const port = Number(new URL(server.url).port);
    const outcome = await new Promise<{ alpn: string; response: string; closedAfterMs: number }>((resolve, reject) => {
      const started = Date.now();
      let response = '';
      let alpn = '';
      const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: server.ca, ALPNProtocols: ['http/1.1'] }, () => {
        alpn = String(socket.alpnProtocol);
        socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
      });
      const drip = setInterval(() => socket.write(`X-Slow-${Date.now()}: a\r\n`), 1000);
      const giveUp = setTimeout(() => {
        socket.destroy();
        resolve({ alpn, response, closedAfterMs: Infinity });
      }, 20_000);
      socket.on('data', (d: Buffer) => (response += d.toString('latin1')));
      socket.on('error', (err) => {
        if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
      });
      socket.on('close', () => {
        clearInterval(drip);
        clearTimeout(giveUp);
        resolve({ alpn, response, closedAfterMs: Date.now() - started });
      });
    });
    assert.equal(outcome.alpn, 'http/1.1');
    assert.ok(Number.isFinite(outcome.closedAfterMs), 'the server cut the connection before the attack gave up (20 s)');
    assert.match(outcome.response, /^HTTP\/1\.1 408 /);
    assert.match(outcome.response, /application\/problem\+json/);
  });
});
