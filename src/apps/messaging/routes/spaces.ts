import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { newId } from '../../../crypto/random.ts';
import { PROBLEM_RESPONSES } from '../../../errors/responses.ts';
import type { UserPrincipal } from '../../../pipeline/authn/principal.ts';
import { authenticated } from '../../../pipeline/authz/policy.ts';
import type { MessagingDeps } from '../index.ts';
import * as S from '../schemas.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** Spaces: create, list, read, delete. */
export function registerSpaceRoutes(app: FastifyInstance, deps: MessagingDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { spaceRole } = deps.rules;

  r.post('/v1/spaces', {
    schema: { tags: ['spaces'], summary: 'Create a space (the caller becomes its owner)', body: S.CreateSpaceBody, response: { 201: S.Space, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated() },
  }, async (request, reply) => {
    const p = request.principal as UserPrincipal;
    const space = { id: newId(), name: request.body.name, createdAt: deps.clock() };
    await deps.spaces.create(space, p.userId);
    return reply.code(201).header('location', `/v1/spaces/${space.id}`).send({ id: space.id, name: space.name, owner: p.username, createdAt: iso(space.createdAt) });
  });

  r.get('/v1/spaces', {
    schema: { tags: ['spaces'], summary: 'Spaces the caller belongs to', querystring: S.ListSpacesQuery, response: { 200: S.SpaceList, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated() },
  }, async (request) => {
    const p = request.principal as UserPrincipal;
    const items = await deps.spaces.listForUser(p.userId, request.query.limit ?? 100);
    return { items: items.map((s) => ({ ...s, createdAt: iso(s.createdAt) })) };
  });

  r.get('/v1/spaces/:spaceId', {
    schema: { tags: ['spaces'], summary: 'A space', params: S.SpaceParams, response: { 200: S.Space, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated({ rules: [spaceRole('reader')] }) },
  }, async (request) => {
    const space = await deps.spaces.get(request.params.spaceId);
    if (!space) throw new Error('space vanished between authorization and read');
    return { ...space, createdAt: iso(space.createdAt) };
  });

  r.delete('/v1/spaces/:spaceId', {
    schema: { tags: ['spaces'], summary: 'Delete a space and its messages', params: S.SpaceParams, response: { 204: Type.Null(), ...PROBLEM_RESPONSES } },
    config: { policy: authenticated({ rules: [spaceRole('owner')] }) },
  }, async (request, reply) => {
    await deps.spaces.delete(request.params.spaceId);
    return reply.code(204).send(null);
  });
}
