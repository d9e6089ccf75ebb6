import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { PROBLEM_RESPONSES } from '../../../errors/responses.ts';
import type { UserPrincipal } from '../../../pipeline/authn/principal.ts';
import { authenticated } from '../../../pipeline/authz/policy.ts';
import type { MessagingDeps } from '../index.ts';
import * as S from '../schemas.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** Capabilities of a space: share links that grant read (or read+post) without a login. */
export function registerCapabilityRoutes(app: FastifyInstance, deps: MessagingDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { spaceRole } = deps.rules;
  const { grantable, capabilityInSpace } = deps.capabilityRules;

  r.post('/v1/spaces/:spaceId/capabilities', {
    schema: {
      tags: ['capabilities'],
      summary: 'Mint a capability (a macaroon) for this space',
      description: 'The token is shown once. Its holder may narrow it offline (`gatehouse capability attenuate`) but never widen it.',
      params: S.SpaceParams,
      body: S.CreateCapabilityBody,
      response: { 201: S.CapabilityCreated, ...PROBLEM_RESPONSES },
    },
    config: { policy: authenticated({ rules: [spaceRole('moderator'), grantable] }) },
  }, async (request, reply) => {
    const p = request.principal as UserPrincipal;
    const { spaceId } = request.params;
    const { token, record } = await deps.capabilities.issue({
      spaceId,
      issuerId: p.userId,
      permissions: request.body.permissions,
      lifetimeSeconds: request.body.expiresInSeconds,
      ...(request.body.methods ? { methods: request.body.methods } : {}),
    });
    // A link the browser UI opens (web/src/screens/shared.ts). The token goes in the fragment:
    // browsers never send it, so it stays out of server and proxy logs.
    const url = `https://${request.host}/#cap=${encodeURIComponent(token)}&space=${encodeURIComponent(spaceId)}`;
    return reply.code(201).send({ id: record.id, token, url, permissions: [...record.permissions], expiresAt: iso(record.expiresAt) });
  });

  r.get('/v1/spaces/:spaceId/capabilities', {
    schema: { tags: ['capabilities'], summary: 'Capabilities issued for this space (never their tokens)', params: S.SpaceParams, querystring: S.ListCapabilitiesQuery, response: { 200: S.CapabilityList, ...PROBLEM_RESPONSES } },
    config: { policy: authenticated({ rules: [spaceRole('moderator')] }) },
  }, async (request) => {
    const items = await deps.capabilityRepository.listForSpace(request.params.spaceId, request.query.limit ?? 100);
    return {
      items: items.map((c) => ({
        id: c.id, issuer: c.issuer, permissions: [...c.permissions], createdAt: iso(c.createdAt), expiresAt: iso(c.expiresAt), revoked: c.revokedAt !== null,
      })),
    };
  });

  r.delete('/v1/spaces/:spaceId/capabilities/:capId', {
    schema: { tags: ['capabilities'], summary: 'Revoke a capability (effective at once)', params: S.CapabilityParams, response: { 204: Type.Null(), ...PROBLEM_RESPONSES } },
    config: { policy: authenticated({ rules: [spaceRole('moderator'), capabilityInSpace] }) },
  }, async (request, reply) => {
    await deps.capabilityRepository.revoke(request.params.capId, deps.clock());
    return reply.code(204).send(null);
  });
}
