// Resource bounds (issue 6 §5, MISSION §1.4: oversized requests are a DoS vector), through
// the real pipeline: JSON nested too deep is 400 before it is parsed; password routes take
// small bodies only (413); an over-long URL is 414; a header block over maxHeaderBytes is
// refused by the real HTTPS listener (431); connections per address are capped on the real
// listener (the excess socket is closed, the others keep working); and load shedding answers
// 503 overloaded with Retry-After when the heap or the event-loop delay crosses its threshold.
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { describe, it } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import { jsonDeeperThan } from '../../../src/pipeline/hardening/jsonDepth.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatehouseError } from '../../../src/errors/GatehouseError.ts';
import { loadSheddingStage, shedReason } from '../../../src/pipeline/hardening/loadShedding.ts';
import { call } from '../../helpers/api.ts';
import { httpsRequest, startTestServer } from '../../helpers/testServer.ts';

type Limits = Config['resourceLimits'];

describe('JSON depth', () => {
  it('is measured in one pass, brackets inside strings ignored', () => {
    assert.equal(jsonDeeperThan('{"a":[[1]]}', 3), false);
    assert.equal(jsonDeeperThan('{"a":[[[1]]]}', 3), true);
    assert.equal(jsonDeeperThan('{"a":"[[[[[[\\"[[["}', 2), false);
  });

  it('a body nested deeper than the limit is 400 invalid_request, even 30,000 levels deep', async () => {
    const server = await startTestServer({ config: { resourceLimits: { maxJsonDepth: 4 } as Limits } });
    try {
      const deep = await server.app.fastify.inject({ method: 'POST', url: '/v1/users', headers: { 'content-type': 'application/json' }, payload: '['.repeat(30_000) });
      assert.equal(deep.statusCode, 400);
      assert.equal(JSON.parse(deep.body).code, 'invalid_request');
      const nested = await call(server.app.fastify, 'POST', '/v1/users', { body: { username: 'eve', password: { a: { b: { c: { d: 1 } } } } } });
      assert.equal(nested.status, 400);
      assert.match(nested.json.detail, /deeper than 4/);
      const poisoned = await server.app.fastify.inject({ method: 'POST', url: '/v1/users', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{"x":1}}' });
      assert.equal(poisoned.statusCode, 400, 'prototype poisoning is still refused');
    } finally {
      await server.close();
    }
  });
});

describe('per-route body limits and URL length', () => {
  it('login and registration take 32 KiB at most (413); a URL over the limit is 414', async () => {
    const server = await startTestServer({ config: { resourceLimits: { maxUrlLength: 300 } as Limits } });
    try {
      const big = await call(server.app.fastify, 'POST', '/v1/sessions', { body: { username: 'x', password: 'y'.repeat(40_000) } });
      assert.equal(big.status, 413);
      const long = await call(server.app.fastify, 'GET', `/healthz?${'q'.repeat(400)}`);
      assert.equal(long.status, 414);
      assert.equal(long.json.code, 'uri_too_long');
      assert.equal((await call(server.app.fastify, 'GET', '/healthz')).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('the real HTTPS listener', () => {
  it('refuses a header block over maxHeaderBytes (431), and caps connections per address', async () => {
    const server = await startTestServer({ listen: true, config: { resourceLimits: { maxHeaderBytes: 4096, maxConnectionsPerAddress: 3 } as Limits } });
    const sockets: tls.TLSSocket[] = [];
    try {
      const huge = await httpsRequest(server, 'GET', '/healthz', { headers: { 'x-filler': 'a'.repeat(8000) } });
      assert.equal(huge.status, 431);
      const port = Number(new URL(server.url).port);
      const connect = () => new Promise<{ socket: tls.TLSSocket; ok: boolean }>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ca: server.ca, servername: 'localhost' });
        socket.once('secureConnect', () => resolve({ socket, ok: true }));
        socket.once('error', () => resolve({ socket, ok: false }));
        socket.once('close', () => resolve({ socket, ok: false }));
      });
      for (let i = 0; i < 3; i++) {
        const c = await connect();
        assert.equal(c.ok, true, `connection ${i + 1} is accepted`);
        sockets.push(c.socket);
      }
      const excess = await connect();
      assert.equal(excess.ok, false, 'the fourth connection from one address is closed');
      sockets.pop()!.destroy();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((await httpsRequest(server, 'GET', '/healthz')).status, 200, 'below the cap again, served');
    } finally {
      for (const s of sockets) s.destroy();
      await server.close();
    }
  });
});

describe('load shedding', () => {
  it('decides from a sample: event-loop delay, then heap', () => {
    const limits = { eventLoopDelayMs: 100, heapUsedRatio: 0.8 };
    assert.equal(shedReason({ eventLoopDelayMs: 50, heapUsedRatio: 0.5 }, limits), undefined);
    assert.match(shedReason({ eventLoopDelayMs: 150, heapUsedRatio: 0.5 }, limits)!, /event-loop delay 150 ms/);
    assert.match(shedReason({ eventLoopDelayMs: 50, heapUsedRatio: 0.9 }, limits)!, /heap 90\.0% used/);
  });

  it('heap over the threshold: 503 overloaded with Retry-After, before rate limiting or authentication', async () => {
    const server = await startTestServer({ config: { resourceLimits: { shedHeapUsedRatio: 0.0001 } as Limits } });
    try {
      const res = await call(server.app.fastify, 'GET', '/v1/users/me', { token: 'ght_x.y' });
      assert.equal(res.status, 503);
      assert.equal(res.json.code, 'overloaded');
      assert.equal(res.headers['retry-after'], '2');
    } finally {
      await server.close();
    }
  });

  it('event loop blocked past the threshold: shed until the next sample finds it calm', async () => {
    const server = await startTestServer({ config: { resourceLimits: { shedEventLoopDelayMs: 50 } as Limits } });
    try {
      assert.equal((await call(server.app.fastify, 'GET', '/healthz')).status, 200);
      await new Promise((r) => setTimeout(r, 300)); // the monitor has taken its first samples
      const until = Date.now() + 300;
      while (Date.now() < until); // a blocked event loop, as under a CPU-bound flood
      const statuses: number[] = [];
      for (let i = 0; i < 40 && !statuses.includes(503); i++) { // the sampler's next verdicts
        await new Promise((r) => setTimeout(r, 20));
        statuses.push((await call(server.app.fastify, 'GET', '/healthz')).status);
      }
      assert.ok(statuses.includes(503), `shed after the block: ${statuses.join(',')}`);
      // Served again once a sample finds the loop calm (polled: a busy machine's loop is
      // slow to calm below 50 ms, and this asserts recovery, not its speed).
      const after: number[] = [];
      for (let i = 0; i < 100 && after.at(-1) !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        after.push((await call(server.app.fastify, 'GET', '/healthz')).status);
      }
      assert.equal(after.at(-1), 200, `served again after the block: ${after.join(',')}`);
    } finally {
      await server.close();
    }
  });

  it('a block that ends just as the sampler is due is still seen (the sampler counts its own lateness)', async () => {
    // Found by a CI rehearsal: when the sampler's tick fell due just before a block, it ran
    // before the delay histogram had recorded the block, then reset it: the block went unseen
    // (17 of 20 such blocks in an experiment). Here every block starts 3 ms before the tick.
    const stage = loadSheddingStage({ eventLoopDelayMs: 50, heapUsedRatio: 1, maxUrlLength: 4096, maxHeaderBytes: 16_384 });
    const request = { url: '/', method: 'GET', raw: { rawHeaders: [] } } as unknown as FastifyRequest;
    const shed = () => new Promise<boolean>((resolve) => stage.shedLoad(request, {} as FastifyReply, (err?: Error) => resolve(err !== undefined)));
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      for (let trial = 0; trial < 3; trial++) {
        const started = performance.now();
        stage.start();
        while (performance.now() < started + 247) await sleep(1);
        const until = Date.now() + 300;
        while (Date.now() < until); // the blocked event loop
        let seen = false;
        for (let i = 0; i < 40 && !seen; i++) {
          await sleep(20);
          seen = await shed();
        }
        assert.ok(seen, `trial ${trial}: the block was seen`);
      }
    } finally {
      stage.stop();
    }
  });

  it('start-up work is not load: sampling starts when the server is ready', async () => {
    // Found by `npm run verify:attacks`: measured from the stage's construction, the work of
    // starting up made a just-started server on a busy machine answer its first requests 503.
    const stage = loadSheddingStage({ eventLoopDelayMs: 100, heapUsedRatio: 1, maxUrlLength: 4096, maxHeaderBytes: 16_384 });
    const request = { url: '/healthz', raw: { method: 'GET', url: '/healthz', rawHeaders: [] } } as unknown as FastifyRequest;
    const verdict = () => new Promise<string | undefined>((resolve) => stage.shedLoad(request, {} as FastifyReply, (err) => resolve((err as GatehouseError | undefined)?.code)));
    const block = (ms: number) => { const until = Date.now() + ms; while (Date.now() < until); };
    try {
      block(400); // start-up, before onReady
      await new Promise((r) => setTimeout(r, 300));
      stage.start();
      assert.equal(await verdict(), undefined, 'the start-up delay was not counted');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await verdict(), undefined, 'calm since start');
      block(400); // load after start is counted, by the sampler's next verdicts
      const seen: (string | undefined)[] = [];
      for (let i = 0; i < 40 && !seen.includes('overloaded'); i++) {
        await new Promise((r) => setTimeout(r, 20));
        seen.push(await verdict());
      }
      assert.ok(seen.includes('overloaded'), `shed after a block once started: ${seen.join(',')}`);
    } finally {
      stage.stop();
    }
  });
});
