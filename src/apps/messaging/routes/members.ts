import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { PROBLEM_RESPONSES } from '../../../errors/responses.ts';
import { authenticated } from '../../../pipeline/authz/policy.ts';
import { nextPageLink } from '../../../server/keysetPage.ts';
import type { MessagingDeps } from '../index.ts';
import { decodeMemberCursor, encodeMemberCursor } from '../memberCursor.ts';
import * as S from '../schemas.ts';

/** Members of a space and their roles. */
export function registerMemberRoutes(app: FastifyInstance, deps: MessagingDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { spaceRole, assignRole, removeMember } = deps.rules;

  r.get('/v1/spaces/:spaceId/members', {
    schema: {
      tags: ['members'],
      summary: 'Members and their roles, in username order, a page at a time',
      description: 'The body is the page, a bare array. When more members follow, the response has a `Link` header (RFC 8288) '
        + 'naming the next page: `</v1/spaces/{spaceId}/members?limit={limit}&cursor={cursor}>; rel="next"`; the last page has none. '
        + 'The cursor is opaque and only a position: every page checks access again.',
      params: S.SpaceParams,
      querystring: S.ListMembersQuery,
      response: { 200: S.MemberList, ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated({ rules: [spaceRole('reader')] }) },
  }, async (request, reply) => {
    const { limit = 100, cursor } = request.query;
    const page = await deps.spaces.members(request.params.spaceId, { limit, ...(cursor !== undefined ? { afterUsername: decodeMemberCursor(cursor) } : {}) });
    const last = page.items.at(-1);
    if (page.more && last) {
      reply.header('link', nextPageLink(`/v1/spaces/${encodeURIComponent(request.params.spaceId)}/members`, limit, encodeMemberCursor(last.username)));
    }
    return page.items.map((m) => ({ username: m.username, role: m.role }));
  });

  r.put('/v1/spaces/:spaceId/members/:username', {
    schema: {
      tags: ['members'],
      summary: 'Add a member or change their role',
      description: 'Moderators add and change readers and members; the owner also moderators. Giving "owner" hands ownership over (the previous owner becomes moderator).',
      params: S.MemberParams,
      body: S.SetRoleBody,
      response: { 200: S.MemberInfo, ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated({ rules: [spaceRole('moderator'), assignRole] }) },
  }, async (request) => {
    const { targetUserId } = request.access as { targetUserId: string };
    await deps.spaces.setRole(request.params.spaceId, targetUserId, request.body.role, deps.clock());
    return { username: request.params.username, role: request.body.role };
  });

  r.delete('/v1/spaces/:spaceId/members/:username', {
    schema: { tags: ['members'], summary: 'Remove a member, or leave', params: S.MemberParams, response: { 204: Type.Null(), ...PROBLEM_RESPONSES } },
    config: { policy: authenticated({ rules: [spaceRole('reader'), removeMember] }) },
  }, async (request, reply) => {
    const { targetUserId } = request.access as { targetUserId: string };
    await deps.spaces.removeMember(request.params.spaceId, targetUserId);
    return reply.code(204).send(null);
  });
}
