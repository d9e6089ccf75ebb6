/**
 * Scenario "baseline": a bare Fastify HTTPS route reading the message by primary key from the
 * same kind of SQLite database (the query of MessageRepository.get, as one prepared statement),
 * with no security stages, no schemas, no logging.
 */
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { openSeededSqlite } from './sqliteFixture.ts';
import { announceReady, benchDataDir, benchTlsOptions, runServer, stopOnSignal } from './serverChild.ts';

interface MessageRow {
  id: string;
  text: string;
  created_at: number;
  username: string;
}

runServer(async () => {
  const { sqlite, spaceId, messageId } = await openSeededSqlite(benchDataDir());
  const readMessage = sqlite.prepare<[string, string], MessageRow>(
    `select messages.id, messages.text, messages.created_at, users.username
       from messages join users on users.id = messages.author_id
      where messages.space_id = ? and messages.id = ?`,
  );
  const app = Fastify({ https: await benchTlsOptions(), logger: false });
  app.get<{ Params: { spaceId: string; messageId: string } }>('/v1/spaces/:spaceId/messages/:messageId', async (request, reply) => {
    const row = readMessage.get(request.params.spaceId, request.params.messageId);
    if (!row) return reply.code(404).send({ title: 'Not Found' });
    return { id: row.id, author: row.username, text: row.text, createdAt: new Date(row.created_at).toISOString() };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  stopOnSignal(async () => {
    await app.close();
    sqlite.close();
  });
  announceReady({
    port: (app.server.address() as AddressInfo).port,
    method: 'GET',
    path: `/v1/spaces/${spaceId}/messages/${messageId}`,
    headers: {},
    expectStatus: 200,
  });
});
