/**
 * Scenario "baseline insert": a bare Fastify HTTPS route that parses the JSON body and inserts
 * one row into `messages` (one autocommit INSERT, WAL, synchronous=NORMAL), with no security
 * stages, no schemas, no logging. Gatehouse's message POST is compared with it.
 */
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { newId } from '../../src/crypto/random.ts';
import { openSeededSqlite } from './sqliteFixture.ts';
import { announceReady, AUTHOR, benchDataDir, benchTlsOptions, MESSAGE_TEXT, runServer, stopOnSignal } from './serverChild.ts';

runServer(async () => {
  const { sqlite, authorId, spaceId } = await openSeededSqlite(benchDataDir());
  const insertMessage = sqlite.prepare('insert into messages (id, space_id, author_id, text, created_at) values (?, ?, ?, ?, ?)');
  const app = Fastify({ https: await benchTlsOptions(), logger: false });
  app.post<{ Params: { spaceId: string }; Body: { text: string } }>('/v1/spaces/:spaceId/messages', async (request, reply) => {
    const id = newId();
    const createdAt = Date.now();
    insertMessage.run(id, request.params.spaceId, authorId, request.body.text, createdAt);
    return reply.code(201).send({ id, author: AUTHOR, text: request.body.text, createdAt: new Date(createdAt).toISOString() });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  stopOnSignal(async () => {
    await app.close();
    sqlite.close();
  });
  announceReady({
    port: (app.server.address() as AddressInfo).port,
    method: 'POST',
    path: `/v1/spaces/${spaceId}/messages`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: MESSAGE_TEXT }),
    expectStatus: 201,
  });
});
