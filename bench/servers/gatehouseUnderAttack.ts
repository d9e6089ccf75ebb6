/**
 * Scenario "under attack": the reader of gatehouse-read as the legitimate user (a paced
 * client behind the trusted proxy, from 192.0.2.10), and two floods for bench/runUnderAttack.ts
 * to run against the same server: a credential-stuffing login flood from ever-changing
 * addresses and a 429 flood from one address.
 */
import { announceReady, runServer } from './serverChild.ts';
import { seedReader, startGatehouse } from './gatehouseServer.ts';

/** Documentation addresses (RFC 5737), as X-Forwarded-For from the trusted proxy on 127.0.0.1. */
const LEGITIMATE_ADDRESS = '192.0.2.10';
const FLOODING_ADDRESS = '198.51.100.7';

runServer(async () => {
  const { fastify, port } = await startGatehouse();
  const { token, spaceId, messageId } = await seedReader(fastify);
  const messagePath = `/v1/spaces/${spaceId}/messages/${messageId}`;
  announceReady({
    port,
    method: 'GET',
    path: messagePath,
    headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': LEGITIMATE_ADDRESS },
    expectStatus: 200,
    overallRate: 50,
    connections: 1,
    floods: [
      {
        name: 'login-flood',
        method: 'POST',
        path: '/v1/sessions',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'stuffed-0', password: 'wrong-guess-correct-horse' }),
        vary: { forwardedForPerRequest: true, loginGuesses: { usernamePrefix: 'stuffed-', usernames: 1000 } },
        connections: 32,
      },
      {
        name: '429-flood',
        method: 'GET',
        path: messagePath,
        headers: { 'x-forwarded-for': FLOODING_ADDRESS },
        connections: 50,
      },
    ],
  });
});
