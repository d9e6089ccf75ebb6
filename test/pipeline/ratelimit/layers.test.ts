// The issue-6 layers through the real pipeline (buildApp + inject with remoteAddress, fake
// clock): a range-wide flood from many addresses of one /24 is stopped by the range layer
// while a client of another range is still served (fairness); a trusted proxy's
// X-Forwarded-For addresses are grouped by range too; password routes cost more; a user's
// plan quota per minute holds and recovers; a throttling queue is bounded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import type { Config } from '../../../src/config/schema.ts';
import { rangeOf } from '../../../src/pipeline/ratelimit/addressRange.ts';
import { ThrottleQueue } from '../../../src/pipeline/ratelimit/ThrottleQueue.ts';
import { basicAuth, passwordFor, userWithToken } from '../../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

type Layers = Config['rateLayers'];

async function get(server: TestServer, url: string, remoteAddress: string, headers: Record<string, string> = {}) {
  const res = await server.app.fastify.inject({ method: 'GET', url, remoteAddress, headers });
  return { status: res.statusCode, headers: res.headers };
}

describe('address ranges', () => {
  it('groups IPv4 by /24 and IPv6 by /56 by default, mapped IPv4 as IPv4, prefixes configurable', () => {
    const p = { v4: 24, v6: 56 };
    assert.equal(rangeOf('203.0.113.77', p), '203.0.113.0/24');
    assert.equal(rangeOf('::ffff:203.0.113.9', p), '203.0.113.0/24');
    assert.equal(rangeOf('2001:db8:aa:bbcc::1', p), '2001:db8:aa:bb00::/56');
    assert.equal(rangeOf('203.0.113.77', { v4: 16, v6: 56 }), '203.0.0.0/16');
    assert.equal(rangeOf('not an address', p), 'other:not an address');
  });

  it('the IPv4 fast path gives what ipaddr.js gives, for every prefix, and leaves odd spellings to it', () => {
    const viaIpaddr = (address: string, bits: number) => {
      const bytes = ipaddr.parse(address).toByteArray().map((b, i) => b & ((0xff << (8 - Math.min(8, Math.max(0, bits - i * 8)))) & 0xff));
      return `${ipaddr.fromByteArray(bytes).toString()}/${bits}`;
    };
    fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, bits) => {
      assert.equal(rangeOf(address, { v4: bits, v6: 56 }), viaIpaddr(address, bits));
    }));
    // ipaddr.js reads a leading zero as octal: such spellings must not take the decimal fast path.
    assert.equal(rangeOf('010.0.0.1', { v4: 24, v6: 56 }), viaIpaddr('010.0.0.1', 24));
    assert.equal(rangeOf('010.0.0.1', { v4: 24, v6: 56 }), '8.0.0.0/24');
  });
});

describe('range-wide flood (range 10/s, bursts of 20; address limit out of the way)', () => {
  let server: TestServer;
  const clock = fakeClock();
  before(async () => {
    server = await startTestServer({ clock, config: { rateLayers: { rangePerSecond: 10 } as Layers } });
  });
  after(() => server.close());

  it('200 addresses of 127.0.0.0/24 share one budget; 127.0.1.1 in another range keeps being served', async () => {
    let served = 0;
    for (let i = 1; i <= 200; i++) {
      const res = await get(server, '/healthz', `127.0.0.${i}`);
      if (res.status === 200) served++;
      else {
        assert.equal(res.status, 429);
        assert.match(String(res.headers['ratelimit-policy']), /^"range";q=20;w=2$/);
      }
      if (i % 10 === 0) assert.equal((await get(server, '/healthz', '127.0.1.1')).status, 200, 'the other range is served during the flood');
    }
    assert.equal(served, 20, 'exactly the range burst got through, however many addresses were used');
  });

  it('refused requests consumed nothing: the range recovers one request per interval', async () => {
    clock.advance(100);
    assert.equal((await get(server, '/healthz', '127.0.0.250')).status, 200);
    assert.equal((await get(server, '/healthz', '127.0.0.251')).status, 429);
  });
});

describe('X-Forwarded-For and ranges', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clock: fakeClock(), config: { trustProxy: ['127.0.0.1'], rateLayers: { rangePerSecond: 1 } as Layers } });
  });
  after(() => server.close());

  it('behind the trusted proxy, forwarded addresses of one /24 share the range budget', async () => {
    assert.equal((await get(server, '/healthz', '127.0.0.1', { 'x-forwarded-for': '198.51.100.1' })).status, 200);
    assert.equal((await get(server, '/healthz', '127.0.0.1', { 'x-forwarded-for': '198.51.100.2' })).status, 200);
    assert.equal((await get(server, '/healthz', '127.0.0.1', { 'x-forwarded-for': '198.51.100.3' })).status, 429);
    assert.equal((await get(server, '/healthz', '127.0.0.1', { 'x-forwarded-for': '192.0.2.1' })).status, 200, 'another range');
  });

  it('from an untrusted peer, a spoofed X-Forwarded-For does not move the request to another range', async () => {
    assert.equal((await get(server, '/healthz', '10.9.9.1', { 'x-forwarded-for': '192.0.2.50' })).status, 200);
    assert.equal((await get(server, '/healthz', '10.9.9.1', { 'x-forwarded-for': '192.0.2.51' })).status, 200);
    assert.equal((await get(server, '/healthz', '10.9.9.2', { 'x-forwarded-for': '203.0.113.1' })).status, 429, 'still 10.9.9.0/24');
  });
});

describe('route cost: a password check costs GATEHOUSE_RATE_PASSWORD_ROUTE_COST cells', () => {
  it('with address 5/s (bursts of 10) and cost 5, two logins use the burst, a third is 429 before any hash', async () => {
    const clock = fakeClock();
    const server = await startTestServer({ clock, config: { rateLimit: { addressPerSecond: 5 } as Config['rateLimit'], rateLayers: { passwordRouteCost: 5 } as Layers } });
    try {
      await server.app.accounts.register('carol', passwordFor('carol'), { isAdmin: false });
      const login = () => server.app.fastify.inject({ method: 'POST', url: '/v1/tokens', headers: { authorization: basicAuth('carol', passwordFor('carol')) }, payload: { name: 't' } });
      assert.equal((await login()).statusCode, 201);
      assert.equal((await login()).statusCode, 201);
      const third = await login();
      assert.equal(third.statusCode, 429);
      assert.equal(third.headers['ratelimit-policy'], '"address";q=10;w=2');
      clock.advance(999);
      assert.equal((await login()).statusCode, 429, 'five cells take a whole second to come back');
      clock.advance(1);
      assert.equal((await login()).statusCode, 201);
    } finally {
      await server.close();
    }
  });
});

describe('per-user plan quotas (default plan from config)', () => {
  it('basic plan, 120 per minute: the 121st request in a minute is 429 "basic-minute"; a minute later it recovers', async () => {
    const clock = fakeClock();
    const server = await startTestServer({ clock, config: { rateLayers: { defaultPlan: 'basic' } as Layers } });
    try {
      const { token } = await userWithToken(server.app.fastify, 'dave');
      const me = () => server.app.fastify.inject({ method: 'GET', url: '/v1/users/me', headers: { authorization: `Bearer ${token}` } });
      let ok = 0;
      for (let i = 0; i < 119; i++) if ((await me()).statusCode === 200) ok++; // the token request took one already
      assert.equal(ok, 119);
      const limited = await me();
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.headers['ratelimit-policy'], '"basic-minute";q=120;w=60');
      clock.advance(60_000);
      assert.equal((await me()).statusCode, 200);
    } finally {
      await server.close();
    }
  });

  it('a plan the operator assigns to one user (GATEHOUSE_RATE_USER_PLANS) applies to that user only', async () => {
    const clock = fakeClock();
    const server = await startTestServer({ clock, config: { rateLayers: { userPlans: { erin: 'basic' } } as unknown as Layers } });
    try {
      const erin = await userWithToken(server.app.fastify, 'erin');
      const frank = await userWithToken(server.app.fastify, 'frank');
      const me = (token: string) => server.app.fastify.inject({ method: 'GET', url: '/v1/users/me', headers: { authorization: `Bearer ${token}` } });
      for (let i = 0; i < 119; i++) await me(erin.token);
      assert.equal((await me(erin.token)).headers['ratelimit-policy'], '"basic-minute";q=120;w=60');
      for (let i = 0; i < 200; i++) assert.equal((await me(frank.token)).statusCode, 200, 'frank keeps the default plan');
    } finally {
      await server.close();
    }
  });
});

describe('throttling queue', () => {
  it('waits only within the bound, and holds at most maxLength requests at once', async () => {
    const releases: (() => void)[] = [];
    const queue = new ThrottleQueue(2, 100, () => new Promise<void>((resolve) => releases.push(resolve)));
    assert.equal(await queue.wait(101), false, 'longer than the maximum wait: reject at once');
    const a = queue.wait(50);
    const b = queue.wait(50);
    assert.equal(queue.length, 2);
    assert.equal(await queue.wait(10), false, 'queue full: reject at once');
    releases.forEach((r) => r());
    assert.deepEqual(await Promise.all([a, b]), [true, true]);
    assert.equal(queue.length, 0);
    assert.equal(await new ThrottleQueue(10, 0).wait(1), false, 'off by default');
  });

  it('through the pipeline: a request over the limit waits for its slot instead of a 429', async () => {
    const clock = fakeClock();
    const server = await startTestServer({
      clock,
      config: { rateLimit: { addressPerSecond: 1 } as Config['rateLimit'], rateLayers: { queueMaxWaitMs: 1000, queueMaxLength: 4 } as Layers },
    });
    try {
      assert.equal((await get(server, '/healthz', '10.0.0.1')).status, 200);
      assert.equal((await get(server, '/healthz', '10.0.0.1')).status, 200);
      // The real timer runs ~1 s; the fake clock is moved so the retry finds quota.
      const pending = get(server, '/healthz', '10.0.0.1');
      setTimeout(() => clock.advance(1000), 50);
      assert.equal((await pending).status, 200);
    } finally {
      await server.close();
    }
  });
});
