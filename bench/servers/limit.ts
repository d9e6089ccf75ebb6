/**
 * Scenario "limit": a bare node:https handler answering the JSON of a message read from
 * precomputed bytes. The ceiling for any HTTPS JSON response on this machine.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { announceReady, AUTHOR, benchTlsOptions, MESSAGE_TEXT, runServer, stopOnSignal } from './serverChild.ts';

runServer(async () => {
  const body = Buffer.from(JSON.stringify({
    id: 'QmVuY2htYXJrSWQx', // same length as a Gatehouse id (newId: 12 random bytes, base64url)
    author: AUTHOR,
    text: MESSAGE_TEXT,
    createdAt: new Date('2026-11-22T12:00:00Z').toISOString(),
  }));
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) };
  const server = https.createServer(await benchTlsOptions(), (_req, res) => {
    res.writeHead(200, headers);
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
    expectStatus: 200,
  });
});
