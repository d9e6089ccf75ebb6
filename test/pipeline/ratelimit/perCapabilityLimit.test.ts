// The per-capability layer (GATEHOUSE_RATE_CAPABILITY_PER_SECOND, config
// `rateLayers.capabilityPerSecond`): a capability link's holder is not a user, so no plan
// applies, but a leaked or scraped link must not be usable as an unlimited feed. Through the
// real HTTPS listener: one link used past its limit gets 429 `rate_limited` with Retry-After
// and the limit headers naming the capability layer; another link to the same space, from
// the same address, is unaffected; and the refused requests do not drain the address budget.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import { call, userWithToken } from '../../helpers/api.ts';
import { fakeClock, httpsRequest, startTestServer, type HttpResult, type TestServer } from '../../helpers/testServer.ts';

describe('per-capability limit (1/s, bursts of 2)', () => {
  const clock = fakeClock();
  let server: TestServer;
  let spaceId: string;
  const links: string[] = [];
  const read = (token: string): Promise<HttpResult> =>
    httpsRequest(server, 'GET', `/v1/spaces/${spaceId}/messages`, { headers: { authorization: `Capability ${token}` } });

  before(async () => {
    server = await startTestServer({
      clock,
      listen: true,
      config: {
        rateLimit: { addressPerSecond: 5 } as Config['rateLimit'], // bursts of 10
        rateLayers: { capabilityPerSecond: 1 } as Config['rateLayers'],
      },
    });
    const app = server.app.fastify;
    const owner = await userWithToken(app, 'owner');
    spaceId = (await call(app, 'POST', '/v1/spaces', { token: owner.token, body: { name: 'shared' } })).json.id;
    for (let i = 0; i < 2; i++) {
      const minted = await call(app, 'POST', `/v1/spaces/${spaceId}/capabilities`, { token: owner.token, body: { permissions: ['read'], expiresInSeconds: 3600 } });
      assert.equal(minted.status, 201, minted.body);
      links.push(minted.json.token);
    }
    clock.advance(60_000); // every bucket full again
  });
  after(() => server.close());

  it('a link used past its limit gets 429 with the registry code and Retry-After; another link is unaffected; it recovers on schedule', async () => {
    const [first, second] = links as [string, string];
    assert.equal((await read(first)).status, 200);
    assert.equal((await read(first)).status, 200);
    const limited = await read(first);
    assert.equal(limited.status, 429, limited.text);
    assert.equal(limited.json.code, 'rate_limited');
    assert.match(String(limited.headers['content-type']), /^application\/problem\+json/);
    assert.equal(limited.headers['retry-after'], '1');
    assert.equal(limited.headers['ratelimit-policy'], '"capability";q=2;w=2');
    assert.equal(limited.headers.ratelimit, '"capability";r=0;t=2');

    // Refused requests of the first link: they take nothing from the address budget (10).
    for (let i = 0; i < 10; i++) assert.equal((await read(first)).status, 429);
    const others: number[] = [];
    for (let i = 0; i < 2; i++) others.push((await read(second)).status);
    assert.deepEqual(others, [200, 200], 'the other link has its own budget');

    clock.advance(1000);
    assert.equal((await read(first)).status, 200, 'one interval later, one more request');
    assert.equal((await read(first)).status, 429);
  });
});
