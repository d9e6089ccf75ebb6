// The flood gate (pipeline/fastpath) with the rate limiter on Redis, through the real HTTPS
// listener: the gate's cache repeats the store's own decisions, whichever store decides. Two
// instances share one Redis (Redis's clock decides; each gate keeps its own cache): a flood
// refused by the shared limit is answered by each instance's gate with the normal path's very
// 429, and every rejection is still accounted for in each instance's audit log.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import { LOOPBACK_PROXY } from '../../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';
import { audited429s, comparable, gateAnswered, rawConnection, type RawResponse } from './floodGateClient.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('flood gate with the rate limiter on Redis, two instances', () => {
  let a: TestServer;
  let b: TestServer;
  // Each server's own clock starts at the real time (Redis's clock decides the limit) and is
  // only moved on at the end, to close the audit aggregation windows.
  const clockA = fakeClock(Date.now());
  const clockB = fakeClock(Date.now());
  before(async () => {
    // One request per 50 s: the refusals outlast the test, on Redis's clock as on ours.
    const config = { ...LOOPBACK_PROXY, redisUrl: REDIS_URL, rateLimit: { addressPerSecond: 0.02 } as Config['rateLimit'] };
    [a, b] = await Promise.all([startTestServer({ listen: true, clock: clockA, config }), startTestServer({ listen: true, clock: clockB, config })]);
  });
  after(() => Promise.all([a.close(), b.close()]));

  it('each instance answers a flood the shared limit refused from its gate, byte for byte the normal 429, every rejection audited', async () => {
    // A fresh address per run: Redis state outlives the test process.
    const address = `198.18.${randomInt(256)}.${randomInt(1, 255)}`;
    const flooder = { 'x-forwarded-for': address, 'user-agent': 'flood/redis' };
    const [onA, onB] = await Promise.all([rawConnection(a), rawConnection(b)]);
    const sent = { a: 0, b: 0 };
    const get = async (server: 'a' | 'b') => {
      const res = await (server === 'a' ? onA : onB).send('GET', '/v1/spaces/s/messages/m', flooder);
      if (res.status === 429) sent[server]++;
      return res;
    };
    // The shared bucket's burst is spent on A; then ten rejections on each instance, the full
    // records of each one's aggregation window, all on the normal path.
    const served = [];
    let response = await get('a');
    while (response.status !== 429 && served.length < 5) served.push(response), (response = await get('a'));
    assert.ok(served.length >= 1 && served.every((r) => r.status === 200 || r.status === 401 || r.status === 404), 'the burst is served (as far as the limiter goes)');
    const normalA: RawResponse[] = [response];
    const normalB: RawResponse[] = [];
    for (let i = 0; i < 9; i++) normalA.push(await get('a'));
    for (let i = 0; i < 10; i++) normalB.push(await get('b'));
    assert.ok(normalA.every((r) => r.status === 429));
    assert.ok(normalB.every((r) => r.status === 429), 'instance B is refused by the limit A spent: it is shared');
    assert.equal(gateAnswered(a), 0, 'the first rejections of the window take the normal path (recorded in full)');
    assert.equal(gateAnswered(b), 0);

    const gatedA: RawResponse[] = [];
    const gatedB: RawResponse[] = [];
    for (let i = 0; i < 15; i++) gatedA.push(await get('a'));
    for (let i = 0; i < 15; i++) gatedB.push(await get('b'));
    assert.equal(gateAnswered(a), 15, "A's gate answers once its window's full records are written");
    assert.equal(gateAnswered(b), 15, "B's gate too, from the refusal Redis gave it");
    const last = (list: RawResponse[]) => list[list.length - 1]!;
    assert.equal(comparable(last(gatedA)), comparable(last(normalA)), 'A: the gate sends the normal path\'s response');
    assert.equal(comparable(last(gatedB)), comparable(last(normalB)), 'B: the same');
    assert.ok(Number(last(gatedB).header('retry-after')) > 1, 'the wait comes from the shared bucket');

    // The windows end: the next rejection on each instance writes its window's summary.
    clockA.advance(61_000);
    clockB.advance(61_000);
    assert.equal((await get('a')).status, 429, 'still refused: Redis\'s clock decides, not ours');
    assert.equal((await get('b')).status, 429);
    assert.equal(await audited429s(a, address), sent.a, 'A: full records plus summary counts equal the 429s it sent');
    assert.equal(await audited429s(b, address), sent.b, 'B: the same');
    onA.close();
    onB.close();
  });
});
