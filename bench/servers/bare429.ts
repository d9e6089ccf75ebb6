/**
 * Scenario "bare 429": a bare node:https handler that refuses every request with 429 and a
 * small problem+json body from precomputed bytes: the cheapest possible rejection, which
 * Gatehouse's own 429 is compared with.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { announceReady, benchTlsOptions, runServer, stopOnSignal } from './serverChild.ts';

runServer(async () => {
  const body = Buffer.from(JSON.stringify({ type: 'about:blank', title: 'Too Many Requests', status: 429 }));
  const headers = {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': String(body.length),
    'retry-after': '1',
  };
  const server = https.createServer(await benchTlsOptions(), (_req, res) => {
    res.writeHead(429, headers);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stopOnSignal(() => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  announceReady({
    port: (server.address() as AddressInfo).port,
    method: 'GET',
    path: '/v1/spaces/s/messages/m',
    headers: {},
    expectStatus: 429,
  });
});
