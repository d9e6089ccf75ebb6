// The flood gate (pipeline/fastpath): a flood the rate limiter has refused is answered 429
// before Fastify routes it. Through the real HTTPS listener, raw bytes on keep-alive TLS
// connections, fake clock. Proves: once an address's rejections are only counted, its further
// requests are answered by the gate with the normal path's very response (status line, every
// header in order, body; only the request id and Date differ), for a plain read, a HEAD, a POST
// with an unread body on a dearer route (its own Retry-After), an unknown path; the connection
// stays usable; the metrics count them as the normal path does; the audit log's full records plus its summary count equal the 429s sent; another
// address is served meanwhile; X-Forwarded-For from the trusted proxy names the client for the
// gate as for the limiter, and from an untrusted peer it is ignored; the address is served again
// once its wait has passed; a refund (a user over their quota) makes the gate forget.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import { MemoryRateLimitStore } from '../../../src/pipeline/ratelimit/MemoryRateLimitStore.ts';
import type { LimitCharge } from '../../../src/pipeline/ratelimit/RateLimitStore.ts';
import { LOOPBACK_PROXY, userWithToken } from '../../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';
import { audited429s, comparable, gateAnswered, rawConnection } from './floodGateClient.ts';

describe('flood gate: 429 before routing, through the HTTPS listener', () => {
  let server: TestServer;
  const clock = fakeClock();
  before(async () => {
    server = await startTestServer({
      listen: true,
      clock,
      config: { ...LOOPBACK_PROXY, rateLimit: { addressPerSecond: 1 } as Config['rateLimit'], rateLayers: { passwordRouteCost: 3 } as Config['rateLayers'] },
    });
  });
  after(() => server.close());

  it('a flood gets the normal path\'s 429 byte for byte from the gate, every rejection audited, another address served', async () => {
    const flooder = { 'x-forwarded-for': '203.0.113.7', 'user-agent': 'flood/1' };
    const conn = await rawConnection(server);
    const kinds = [
      ['GET', '/v1/spaces/s/messages/m', {}, ''],
      ['HEAD', '/v1/spaces/s/messages/m', {}, ''],
      ['POST', '/v1/sessions', { 'content-type': 'application/json' }, JSON.stringify({ username: 'someone', password: 'not-read-at-all' })],
      ['GET', '/no/such/path?x=1', {}, ''],
    ] as const;
    const send = (k: (typeof kinds)[number]) => conn.send(k[0], k[1], { ...flooder, ...k[2] }, k[3]);
    let sent429 = 0;
    // The burst (2), then the window's 10 full records, on the normal path: one of each kind among them.
    for (let i = 0; i < 2; i++) assert.notEqual((await send(kinds[0])).status, 429);
    const normal = [];
    for (const k of kinds) normal.push(await send(k));
    for (let i = 0; i < 6; i++) normal.push(await send(kinds[0]));
    sent429 += normal.length;
    assert.ok(normal.every((r) => r.status === 429), 'refused by the limiter');
    assert.equal(gateAnswered(server), 0, 'the first rejections of the window take the normal path (recorded in full)');

    const gated = [];
    for (const k of kinds) gated.push(await send(k));
    for (let i = 0; i < 20; i++) gated.push(await send(kinds[i % kinds.length]!));
    sent429 += gated.length;
    assert.equal(gateAnswered(server), gated.length, 'every further request answered by the gate');
    for (const [i, k] of kinds.entries()) {
      assert.equal(comparable(gated[i]!), comparable(normal[i]!), `${k[0]} ${k[1]}: the same response`);
      assert.notEqual(gated[i]!.header('x-request-id'), normal[i]!.header('x-request-id'));
    }
    const get = gated[0]!;
    assert.equal(get.status, 429);
    assert.equal(JSON.parse(get.body).code, 'rate_limited');
    assert.equal(JSON.parse(get.body).requestId, get.header('x-request-id'));
    assert.equal(get.header('ratelimit-policy'), '"address";q=2;w=2');
    assert.equal(get.header('retry-after'), '1');
    assert.equal(gated[2]!.header('retry-after'), '2', 'the dearer route (3 cells, capped to the burst of 2) states its own wait');
    assert.match(get.header('strict-transport-security') ?? '', /^max-age=/);
    assert.equal(get.header('connection'), 'keep-alive');

    // Metrics count the gate's 429s as the normal path's: by method and route, and as the rate-limit stage's rejections.
    const metric = async (name: string, match: RegExp) => (await server.app.metrics.registry.getSingleMetricAsString(name))
      .split('\n').filter((l) => match.test(l)).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    assert.equal(await metric('gatehouse_requests_total', /status="429"/), sent429);
    assert.equal(await metric('gatehouse_requests_total', /method="HEAD",route="\/v1\/spaces\/:spaceId\/messages\/:messageId",status="429"/), 1 + 6);
    assert.equal(await metric('gatehouse_requests_total', /method="GET",route="\(unmatched\)",status="429"/), 1 + 6);
    assert.equal(await metric('gatehouse_rejections_total', /stage="rate limit",code="rate_limited"/), sent429);
    assert.equal(await metric('gatehouse_request_duration_seconds', /^gatehouse_request_duration_seconds_count\{/), 2 + sent429);

    // Meanwhile another client is served, on its own connection and on the flooded one.
    const other = await conn.send('GET', '/healthz', { 'x-forwarded-for': '203.0.113.8' });
    assert.equal(other.status, 200);
    conn.close();

    // The window ends: its summary is written, and states every counted rejection.
    clock.advance(61_000);
    const later = await rawConnection(server);
    assert.equal((await later.send('GET', '/healthz', flooder)).status, 200, 'served again once the wait has passed');
    later.close();
    assert.equal(await audited429s(server, '203.0.113.7'), sent429);
  });

  it('X-Forwarded-For from the trusted proxy names the client for the gate as for the limiter', async () => {
    clock.advance(61_000);
    const conn = await rawConnection(server);
    const from = (chain: string) => conn.send('GET', '/v1/spaces/s/messages/m', { 'x-forwarded-for': chain });
    for (let i = 0; i < 12; i++) await from('198.51.100.9, 203.0.113.20'); // the client is the last hop before the proxy
    const before = gateAnswered(server);
    assert.equal((await from('192.0.2.1, 203.0.113.20')).status, 429);
    assert.equal(gateAnswered(server), before + 1, 'the same client behind other forwarded hops: refused by the gate');
    assert.notEqual((await from('203.0.113.20, 203.0.113.21')).status, 429, 'a spoofed left-most entry is not the client: served');
    assert.equal(gateAnswered(server), before + 1);
    conn.close();
  });

  it('once the wait passes the address is served again, by the normal path', async () => {
    clock.advance(61_000);
    const conn = await rawConnection(server);
    const flooder = { 'x-forwarded-for': '203.0.113.30' };
    for (let i = 0; i < 14; i++) await conn.send('GET', '/healthz', flooder);
    const refused = await conn.send('GET', '/healthz', flooder);
    assert.equal(refused.status, 429);
    const before = gateAnswered(server);
    clock.advance(Number(refused.header('retry-after')) * 1000 - 1);
    assert.equal((await conn.send('GET', '/healthz', flooder)).status, 429, 'not a moment early');
    assert.equal(gateAnswered(server), before + 1);
    clock.advance(1);
    assert.equal((await conn.send('GET', '/healthz', flooder)).status, 200);
    assert.equal(gateAnswered(server), before + 1);
    conn.close();
  });
});

describe('flood gate: X-Forwarded-For from an untrusted peer', () => {
  let server: TestServer;
  const clock = fakeClock();
  before(async () => {
    server = await startTestServer({ listen: true, clock, config: { rateLimit: { addressPerSecond: 1 } as Config['rateLimit'] } });
  });
  after(() => server.close());

  it('is ignored: every spoofed address is the peer\'s own, refused by the gate', async () => {
    const conn = await rawConnection(server);
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push((await conn.send('GET', '/healthz', { 'x-forwarded-for': `192.0.2.${i + 1}` })).status);
    assert.deepEqual(statuses.filter((s) => s !== 429).length, 2, 'only the burst of 127.0.0.1 was served');
    assert.equal(gateAnswered(server), 40 - 2 - 10);
    conn.close();
  });
});

/** A store whose refunds wait until the test lets them through, so a refusal can come in between. */
class HeldRefundStore extends MemoryRateLimitStore {
  private release: (() => void) | undefined;
  private held: Promise<void> = new Promise((resolve) => (this.release = resolve));
  refundStarted: Promise<void>;
  private started!: () => void;
  constructor() {
    super();
    this.refundStarted = new Promise((resolve) => (this.started = resolve));
  }
  override async refund(charges: readonly LimitCharge[], nowMs: number): Promise<void> {
    this.started();
    await this.held;
    return super.refund(charges, nowMs);
  }
  letRefundsThrough(): void {
    this.release?.();
  }
}

describe('flood gate: a refund makes it forget', () => {
  let server: TestServer;
  const clock = fakeClock();
  const store = new HeldRefundStore();
  before(async () => {
    server = await startTestServer({
      listen: true,
      clock,
      rateLimitStore: store,
      config: { ...LOOPBACK_PROXY, rateLimit: { addressPerSecond: 1, userPerSecond: 1 } as Config['rateLimit'] },
    });
  });
  after(() => server.close());

  it('an address refused while a refund of its charge was on its way is served once the refund lands', async () => {
    const user = await userWithToken(server.app.fastify, 'over-quota');
    const a = { 'x-forwarded-for': '198.51.100.50' };
    const conn = await rawConnection(server);
    // The address's window gets its full records, so that the gate may answer for it.
    for (let i = 0; i < 12; i++) await conn.send('GET', '/healthz', a);
    clock.advance(1000); // one cell back for the address
    // The user is over their quota (1/s, bursts of 2) from another address.
    const b = await rawConnection(server);
    while ((await b.send('GET', '/v1/spaces', { 'x-forwarded-for': '198.51.100.60', authorization: `Bearer ${user.token}` })).status !== 429);
    b.close();
    // X takes the address's last cell, then is refused by the user's quota: its charge is refunded (held).
    const x = await rawConnection(server);
    const refusedX = x.send('GET', '/v1/spaces', { ...a, authorization: `Bearer ${user.token}` });
    await store.refundStarted;
    // Meanwhile the address is refused (its cell is gone until the refund lands) and the gate learns it.
    assert.equal((await conn.send('GET', '/healthz', a)).status, 429);
    const before = gateAnswered(server);
    assert.equal((await conn.send('GET', '/healthz', a)).status, 429);
    assert.equal(gateAnswered(server), before + 1, 'the gate answers for the address');
    store.letRefundsThrough();
    assert.equal((await refusedX).status, 429);
    x.close();
    assert.equal((await conn.send('GET', '/healthz', a)).status, 200, 'the refunded cell serves it');
    conn.close();
  });
});
