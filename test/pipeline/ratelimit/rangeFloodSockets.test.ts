// Fairness under overload (issue 6 §6) with real connections: a flood from 200 distinct
// loopback addresses of 127.0.0.0/24, each request its own TLS connection bound to its own
// source address, runs concurrently against the HTTPS listener. The range layer holds the
// whole /24 to its budget, while a client of another range (127.0.1.1) and a bearer user of a
// third (127.0.2.1) keep being served during the flood. (layers.test.ts proves the exact
// arithmetic in process with a fake clock; this proves it over sockets, at the same time.)
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import { userWithToken } from '../../helpers/api.ts';
import { startTestServer, type TestServer } from '../../helpers/testServer.ts';

const RANGE_PER_SECOND = 10;
const RANGE_BURST = 20;

function getFrom(server: TestServer, localAddress: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; policy: string; peer: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, server.url), { method: 'GET', headers, ca: server.ca, servername: 'localhost', agent: false, localAddress }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, policy: String(res.headers['ratelimit-policy'] ?? ''), peer: res.socket.localAddress ?? '' }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('range-wide flood over real connections from 127.0.0.0/24', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ listen: true, config: { rateLayers: { rangePerSecond: RANGE_PER_SECOND } as Config['rateLayers'] } });
  });
  after(() => server.close());

  it('the /24 gets its burst plus what time refills; other ranges and a bearer user are served throughout', async () => {
    const user = await userWithToken(server.app.fastify, 'bystander');
    const flooders = Array.from({ length: 200 }, (_, i) => `127.0.0.${i + 1}`);
    const started = Date.now();
    let flooding = true;
    const bystanders: { status: number; who: string }[] = [];
    const watch = (async () => {
      while (flooding) {
        const [other, bearer] = await Promise.all([
          getFrom(server, '127.0.1.1', '/healthz'),
          getFrom(server, '127.0.2.1', '/v1/spaces', { authorization: `Bearer ${user.token}` }),
        ]);
        bystanders.push({ status: other.status, who: 'another range' }, { status: bearer.status, who: 'a bearer user' });
      }
    })();
    const results: { status: number; policy: string; peer: string }[] = [];
    for (let i = 0; i < flooders.length; i += 20) {
      results.push(...(await Promise.all(flooders.slice(i, i + 20).map((address) => getFrom(server, address, '/healthz')))));
    }
    flooding = false;
    await watch;
    const elapsedSeconds = (Date.now() - started) / 1000;

    assert.deepEqual(new Set(results.map((r) => r.peer)).size, 200, 'every request came from its own address');
    const served = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 429);
    assert.equal(served + refused.length, results.length, 'every flood request was served or refused with 429');
    for (const r of refused) assert.match(r.policy, new RegExp(`^"range";q=${RANGE_BURST};w=2$`));
    assert.ok(served >= RANGE_BURST, `the burst is served (${served})`);
    assert.ok(served <= RANGE_BURST + Math.ceil(RANGE_PER_SECOND * elapsedSeconds), `at most the burst plus the refill over ${elapsedSeconds.toFixed(2)} s; served ${served}`);
    assert.ok(refused.length >= 100, `most of the flood was refused (${refused.length})`);
    assert.ok(bystanders.length >= 2, 'the bystanders were asked during the flood');
    assert.deepEqual(bystanders.filter((b) => b.status !== 200), [], 'other ranges are served throughout');
  });
});
