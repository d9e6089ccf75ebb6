/**
 * Scenario "gatehouse rejected": an anonymous flood from one address that bench/run.ts gives a
 * tiny per-address limit, so that nearly every request is answered 429 by the rate-limit stage
 * (and, as every rejection, audited). Measures the cost of one refused request.
 */
import { announceReady, runServer } from './serverChild.ts';
import { startGatehouse } from './gatehouseServer.ts';

runServer(async () => {
  const { port } = await startGatehouse();
  announceReady({
    port,
    method: 'GET',
    path: '/v1/spaces/s/messages/m',
    headers: {},
    expectStatus: 429,
  });
});
