import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { installFloodGate } from '../../../src/pipeline/fastpath/index.ts';

/** One GET to a plain HTTP server; resolves with status and body. */
function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/x', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('installFloodGate (the gate in front of Fastify’s routing)', () => {
  it('a gate that throws sends the request on to the normal path, reports the error once, and the process stays up', async () => {
    const server = http.createServer((_req, res) => res.end('routed'));
    const errors: unknown[] = [];
    installFloodGate(server, () => {
      throw new Error('router copy failed');
    }, (err) => errors.push(err));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      assert.deepEqual(await get(port), { status: 200, body: 'routed' });
      assert.deepEqual(await get(port), { status: 200, body: 'routed' });
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /router copy failed/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a request the gate answers goes no further', async () => {
    let routed = 0;
    const server = http.createServer((_req, res) => {
      routed++;
      res.end('routed');
    });
    installFloodGate(server, (_req, res) => {
      res.writeHead(429).end('refused');
      return true;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      assert.deepEqual(await get(port), { status: 429, body: 'refused' });
      assert.equal(routed, 0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
