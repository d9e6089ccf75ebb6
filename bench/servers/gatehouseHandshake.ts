/**
 * Scenario "tls-gatehouse-*": Gatehouse with the certificate BENCH_CERT names, for the new
 * TLS connections per second scenarios. Each connection asks for GET /healthz (the public
 * route a load balancer's health check uses) and closes.
 */
import { announceReady, runServer } from './serverChild.ts';
import { startGatehouse } from './gatehouseServer.ts';

runServer(async () => {
  const { port } = await startGatehouse();
  announceReady({ port, method: 'GET', path: '/healthz', headers: {}, expectStatus: 200 });
});
