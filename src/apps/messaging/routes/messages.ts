import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { newId } from '../../../crypto/random.ts';
import { GatehouseError, invalidField } from '../../../errors/GatehouseError.ts';
import { PROBLEM_RESPONSES } from '../../../errors/responses.ts';
import type { Principal } from '../../../pipeline/authn/principal.ts';
import { authenticated } from '../../../pipeline/authz/policy.ts';
import type { Message } from '../MessageRepository.ts';
import type { MessagingDeps } from '../index.ts';
import * as S from '../schemas.ts';

const toJson = (m: Message) => ({ id: m.id, author: m.author, text: m.text, createdAt: new Date(m.createdAt).toISOString() });

/** An opaque page cursor: the position after which the next page starts. */
function encodeCursor(seq: number): string {
  return Buffer.from(`m:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^m:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw invalidField('cursor', 'The cursor is not one this server gave out');
  return Number(match[1]);
}

/** Who a message is attributed to: the user, or for a capability the issuer who vouched for it. */
function authorOf(p: Principal): { id: string; name: string } {
  if (p.kind === 'user') return { id: p.userId, name: p.username };
  if (p.kind === 'capability') return { id: p.issuerId, name: p.issuer };
  throw new GatehouseError('internal_error', { auditReason: 'anonymous caller reached a handler that needs an author' });
}

/** Routes that a capability may use, besides the user's own credentials. */
const WITH_CAPABILITY = ['bearer', 'session', 'capability'] as const;

/** Messages in a space. */
export function registerMessageRoutes(app: FastifyInstance, deps: MessagingDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { spaceRole, deleteMessage } = deps.rules;

  r.post('/v1/spaces/:spaceId/messages', {
    schema: { tags: ['messages'], summary: 'Post a message', params: S.SpaceParams, body: S.PostMessageBody, response: { 201: S.Message, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated({ credentials: WITH_CAPABILITY, rules: [spaceRole('member', 'post')] }) },
  }, async (request, reply) => {
    const author = authorOf(request.principal);
    const message = { id: newId(), spaceId: request.params.spaceId, authorId: author.id, text: request.body.text, createdAt: deps.clock() };
    await deps.messages.insert(message);
    return reply
      .code(201)
      .header('location', `/v1/spaces/${message.spaceId}/messages/${message.id}`)
      .send(toJson({ ...message, author: author.name }));
  });

  r.get('/v1/spaces/:spaceId/messages', {
    schema: {
      tags: ['messages'],
      summary: 'Messages, newest first, a page at a time',
      params: S.SpaceParams,
      querystring: S.ListMessagesQuery,
      response: { 200: S.MessagePage, ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated({ credentials: WITH_CAPABILITY, rules: [spaceRole('reader', 'read')] }) },
  }, async (request) => {
    const { since, limit, cursor } = request.query;
    const page = await deps.messages.list(request.params.spaceId, {
      limit: limit ?? 50,
      ...(cursor ? { beforeSeq: decodeCursor(cursor) } : {}),
      ...(since ? { sinceMs: Date.parse(since) } : {}),
    });
    return { items: page.items.map(toJson), nextCursor: page.more && page.lastSeq !== undefined ? encodeCursor(page.lastSeq) : null };
  });

  r.get('/v1/spaces/:spaceId/messages/:messageId', {
    schema: { tags: ['messages'], summary: 'One message', params: S.MessageParams, response: { 200: S.Message, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated({ credentials: WITH_CAPABILITY, rules: [spaceRole('reader', 'read')] }) },
  }, async (request) => {
    const message = await deps.messages.get(request.params.spaceId, request.params.messageId);
    if (!message) throw new GatehouseError('not_found', { auditReason: 'no such message in this space' });
    return toJson(message);
  });

  r.delete('/v1/spaces/:spaceId/messages/:messageId', {
    schema: { tags: ['messages'], summary: 'Delete a message', params: S.MessageParams, response: { 204: Type.Null(), ...PROBLEM_RESPONSES } },
    config: { policy: authenticated({ rules: [spaceRole('reader'), deleteMessage] }) },
  }, async (request, reply) => {
    await deps.messages.delete(request.params.spaceId, request.params.messageId);
    return reply.code(204).send(null);
  });
}
