import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../clock.ts';
import { GatehouseError, invalidField } from '../errors/GatehouseError.ts';
import { PROBLEM_RESPONSES } from '../errors/responses.ts';
import { adminOnly, type ResourceRule, type RoutePolicy } from '../pipeline/authz/policy.ts';
import type { AccountAdministration, UserSummary } from './AccountAdministration.ts';

const AdminUser = Type.Object({
  id: Type.String(),
  username: Type.String(),
  roles: Type.Array(Type.String()),
  disabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});
const AdminUserList = Type.Object({ items: Type.Array(AdminUser), nextCursor: Type.Union([Type.String(), Type.Null()]) });
const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);
const UserParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const UpdateUserBody = Type.Object(
  { disabled: Type.Boolean({ description: 'true ends the user’s sessions, tokens and issued capabilities at once' }) },
  { additionalProperties: false },
);

const toJson = (u: UserSummary) => ({
  id: u.id, username: u.username, roles: u.isAdmin ? ['user', 'admin'] : ['user'], disabled: u.disabled, createdAt: new Date(u.createdAt).toISOString(),
});

/**
 * Account administration (administrators only). Administrators manage accounts; they get no
 * access to spaces or conversations they are not part of (those rules never look at isAdmin).
 */
export function registerAdminRoutes(app: FastifyInstance, deps: { admin: AccountAdministration; clock: Clock }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const withRules = (rules: ResourceRule[]): RoutePolicy => ({ ...adminOnly(), rules });
  const existingUser: ResourceRule = {
    description: 'the user exists',
    phase: 'beforeBody',
    async decide(_principal, request) {
      const { username } = request.params as { username: string };
      const user = username.length <= 64 ? await deps.admin.find(username) : undefined;
      return user ? { allow: true, access: { target: user } } : { allow: false, error: new GatehouseError('not_found', { detail: 'No such user' }) };
    },
  };
  /** An administrator cannot disable their own account (it would lock the last one out). */
  const notSelfDisable: ResourceRule = {
    description: 'not disabling yourself',
    phase: 'afterValidation',
    decide(principal, request) {
      const { target } = request.access as { target: UserSummary };
      const disabling = (request.body as { disabled: boolean }).disabled;
      if (disabling && principal.kind === 'user' && principal.userId === target.id) {
        return { allow: false, error: new GatehouseError('conflict', { detail: 'You cannot disable your own account', extras: { field: 'disabled' } }) };
      }
      return { allow: true };
    },
  };

  r.get('/v1/admin/users', {
    schema: { tags: ['administration'], summary: 'All users, by username', querystring: ListQuery, response: { 200: AdminUserList, ...PROBLEM_RESPONSES } },
    config: { policy: adminOnly() },
  }, async (request) => {
    const { cursor, limit } = request.query;
    let after: string | undefined;
    if (cursor) {
      after = Buffer.from(cursor, 'base64url').toString('utf8');
      if (!/^[a-z][a-z0-9_-]{0,63}$/.test(after)) throw invalidField('cursor', 'The cursor is not one this server gave out');
    }
    const page = await deps.admin.list({ limit: limit ?? 100, ...(after ? { after } : {}) });
    const last = page.items[page.items.length - 1];
    return { items: page.items.map(toJson), nextCursor: page.more && last ? Buffer.from(last.username).toString('base64url') : null };
  });

  r.get('/v1/admin/users/:username', {
    schema: { tags: ['administration'], summary: 'One user', params: UserParams, response: { 200: AdminUser, ...PROBLEM_RESPONSES } },
    config: { policy: withRules([existingUser]) },
  }, async (request) => toJson((request.access as { target: UserSummary }).target));

  r.patch('/v1/admin/users/:username', {
    schema: {
      tags: ['administration'],
      summary: 'Disable or enable a user',
      description: 'Disabling ends the user’s sessions, API tokens and the capabilities they issued, at once. Enabling does not revive them.',
      params: UserParams,
      body: UpdateUserBody,
      response: { 200: AdminUser, ...PROBLEM_RESPONSES },
    },
    config: { policy: withRules([existingUser, notSelfDisable]) },
  }, async (request) => {
    const { target } = request.access as { target: UserSummary };
    await deps.admin.setDisabled(target.id, request.body.disabled, deps.clock());
    return toJson({ ...target, disabled: request.body.disabled });
  });

  r.delete('/v1/admin/users/:username/mfa', {
    schema: {
      tags: ['administration'],
      summary: 'Reset a user’s second factors',
      description: 'Removes TOTP, recovery codes and passkeys, and ends the user’s sessions and API tokens, for a user who lost their factors. The next login is with the password alone.',
      params: UserParams,
      response: { 204: Type.Null(), ...PROBLEM_RESPONSES },
    },
    config: { policy: withRules([existingUser]) },
  }, async (request, reply) => {
    const { target } = request.access as { target: UserSummary };
    await deps.admin.resetMfa(target.id, deps.clock());
    return reply.code(204).send(null);
  });
}
