/**
 * Scenario "gatehouse write": POST /v1/spaces/{id}/messages with a bearer token through the
 * full pipeline; every request inserts a message and two audit records.
 */
import { announceReady, MESSAGE_TEXT, runServer } from './serverChild.ts';
import { seedReader, startGatehouse } from './gatehouseServer.ts';

runServer(async () => {
  const { fastify, port } = await startGatehouse();
  const { token, spaceId } = await seedReader(fastify);
  announceReady({
    port,
    method: 'POST',
    path: `/v1/spaces/${spaceId}/messages`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text: MESSAGE_TEXT }),
    expectStatus: 201,
  });
});
