import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { newId } from '../../../crypto/random.ts';
import { invalidField } from '../../../errors/GatehouseError.ts';
import { PROBLEM_RESPONSES } from '../../../errors/responses.ts';
import type { UserPrincipal } from '../../../pipeline/authn/principal.ts';
import { authenticated } from '../../../pipeline/authz/policy.ts';
import type { PeerAccess } from '../contactRules.ts';
import type { DirectMessage } from '../DirectMessageRepository.ts';
import type { MessagingDeps } from '../index.ts';
import { contactState } from '../policy.ts';
import * as S from '../schemas.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const toJson = (m: DirectMessage) => ({ id: m.id, author: m.sender, to: m.recipient, text: m.text, createdAt: iso(m.createdAt) });

function decodeCursor(cursor: string): number {
  const match = /^d:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw invalidField('cursor', 'The cursor is not one this server gave out');
  return Number(match[1]);
}

/** Contacts and direct messages: the friendship rule (API.md). */
export function registerContactRoutes(app: FastifyInstance, deps: MessagingDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { otherUser, connectedWithPeer } = deps.contactRules;

  r.put('/v1/contacts/:username', {
    schema: {
      tags: ['contacts'],
      summary: 'Ask to connect, or accept the other side’s request',
      description: 'Idempotent. The answer says whether the two are now connected or the request is pending.',
      params: S.UsernameParams,
      response: { 200: S.Contact, ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated({ rules: [otherUser] }) },
  }, async (request) => {
    const me = request.principal as UserPrincipal;
    const { peerId, peer } = request.access as unknown as PeerAccess;
    await deps.contacts.ask(me.userId, peerId, deps.clock());
    const asked = await deps.contacts.between(me.userId, peerId);
    return { username: peer, state: contactState(asked.askedByMe, asked.askedByThem) as 'pending' | 'connected', direction: asked.askedByThem ? 'both' as const : 'outgoing' as const };
  });

  r.get('/v1/contacts', {
    schema: { tags: ['contacts'], summary: 'The caller’s contacts and pending requests', querystring: S.ListContactsQuery, response: { 200: S.ContactList, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated() },
  }, async (request) => {
    const me = request.principal as UserPrincipal;
    const entries = await deps.contacts.listFor(me.userId, request.query.limit ?? 200);
    return {
      items: entries.map((e) => ({
        username: e.username,
        state: contactState(e.askedByMe, e.askedByThem) as 'pending' | 'connected',
        direction: e.askedByMe && e.askedByThem ? 'both' as const : e.askedByMe ? 'outgoing' as const : 'incoming' as const,
        since: iso(e.since),
      })),
    };
  });

  r.delete('/v1/contacts/:username', {
    schema: { tags: ['contacts'], summary: 'Remove a contact, or withdraw or decline a request', params: S.UsernameParams, response: { 204: Type.Null(), ...PROBLEM_RESPONSES } },
    config: { policy: authenticated({ rules: [otherUser] }) },
  }, async (request, reply) => {
    const me = request.principal as UserPrincipal;
    await deps.contacts.remove(me.userId, (request.access as unknown as PeerAccess).peerId);
    return reply.code(204).send(null);
  });

  r.post('/v1/direct/:username/messages', {
    schema: {
      tags: ['direct messages'],
      summary: 'Send a direct message (only to a connected contact)',
      params: S.UsernameParams,
      body: S.PostMessageBody,
      response: { 201: S.DirectMessage, ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated({ rules: [connectedWithPeer] }) },
  }, async (request, reply) => {
    const me = request.principal as UserPrincipal;
    const { peerId, peer } = request.access as unknown as PeerAccess;
    const message = { id: newId(), senderId: me.userId, recipientId: peerId, text: request.body.text, createdAt: deps.clock() };
    await deps.directMessages.insert(message);
    return reply.code(201).send(toJson({ ...message, sender: me.username, recipient: peer }));
  });

  r.get('/v1/direct/:username/messages', {
    schema: {
      tags: ['direct messages'],
      summary: 'The conversation between the caller and this user, newest first',
      description: 'Only the two participants can read it; the history stays readable after the contact is removed.',
      params: S.UsernameParams,
      querystring: S.ListDirectQuery,
      response: { 200: S.DirectMessagePage, ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated({ rules: [otherUser] }) },
  }, async (request) => {
    const me = request.principal as UserPrincipal;
    const { cursor, limit } = request.query;
    const page = await deps.directMessages.conversation(me.userId, (request.access as unknown as PeerAccess).peerId, {
      limit: limit ?? 50,
      ...(cursor ? { beforeSeq: decodeCursor(cursor) } : {}),
    });
    const nextCursor = page.more && page.lastSeq !== undefined ? Buffer.from(`d:${page.lastSeq}`).toString('base64url') : null;
    return { items: page.items.map(toJson), nextCursor };
  });
}
