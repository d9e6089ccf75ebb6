/**
 * Scenario "gatehouse read": GET /v1/spaces/{id}/messages/{id} with a bearer token through the
 * full pipeline (rate limit, authentication, audit, access control). bench/run.ts sets the
 * rate limits high, so the limiter decides on every request but never refuses.
 */
import { announceReady, runServer } from './serverChild.ts';
import { seedReader, startGatehouse } from './gatehouseServer.ts';

runServer(async () => {
  const { fastify, port } = await startGatehouse();
  const { token, spaceId, messageId } = await seedReader(fastify);
  announceReady({
    port,
    method: 'GET',
    path: `/v1/spaces/${spaceId}/messages/${messageId}`,
    headers: { authorization: `Bearer ${token}` },
    expectStatus: 200,
  });
});
