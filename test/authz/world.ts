// The cast and the objects of the authorization matrix. Users (and their tokens) are created
// once: password hashing is the slow part. Spaces, messages and capabilities are cheap, so a
// fresh "world" can be built for every request that changes state.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { attenuateCapability } from '../../src/capabilities/attenuate.ts';
import { adminWithToken, basicAuth, call, passwordFor, userWithToken } from '../helpers/api.ts';
import type { TestServer } from '../helpers/testServer.ts';

/** Every kind of caller the matrix tries on every route. */
export const CALLERS = [
  'anonymous', 'outsider', 'reader', 'member', 'moderator', 'owner', 'admin',
  'capRead', 'capReadPost', 'capOther', 'capExpired', 'capRevoked', 'disabled',
] as const;
export type Caller = (typeof CALLERS)[number];

/** The callers that are (active) users, by their username. */
export const USER_OF = { outsider: 'outs', reader: 'rdr', member: 'mem', moderator: 'moddy', owner: 'own', admin: 'admin' } as const;
export type UserCaller = keyof typeof USER_OF;

export interface Cast {
  readonly tokens: Record<string, string>;
  /** A spare API token id per user caller (for "delete my own token"). */
  readonly spareTokenIds: Record<string, string>;
  /** A token id of a user who is never a caller (someone else's object). */
  readonly victimTokenId: string;
}

export interface World {
  readonly spaceId: string;
  /** A space owned by the outsider, where none of the others belong. */
  readonly otherSpaceId: string;
  /** Message ids in the space by author username (mem, moddy, own, extra). */
  readonly messageBy: Record<string, string>;
  readonly messageInOtherSpace: string;
  readonly capabilityInSpace: string;
  readonly capabilityInOtherSpace: string;
  readonly auth: Record<Caller, Record<string, string>>;
}

/** Creates the users: the six user callers, a disabled member, and bystanders. */
export async function createCast(app: FastifyInstance, server: TestServer): Promise<Cast> {
  const tokens: Record<string, string> = {};
  const spareTokenIds: Record<string, string> = {};
  tokens.admin = (await adminWithToken(app, server.app.accounts)).token;
  for (const name of ['own', 'moddy', 'mem', 'rdr', 'outs', 'gone', 'extra', 'victim', 'friend']) tokens[name] = (await userWithToken(app, name)).token;
  for (const name of Object.values(USER_OF)) {
    const spare = await call(app, 'POST', '/v1/tokens', { headers: { authorization: basicAuth(name, passwordFor(name)) }, body: { name: 'spare' } });
    spareTokenIds[name] = spare.json.id;
  }
  const victimSpare = await call(app, 'POST', '/v1/tokens', { headers: { authorization: basicAuth('victim', passwordFor('victim')) }, body: { name: 'spare' } });
  // Every user caller is connected with `friend` (direct messages allowed), none with `victim`.
  for (const name of Object.values(USER_OF)) {
    await call(app, 'PUT', '/v1/contacts/friend', { token: tokens[name]! });
    await call(app, 'PUT', `/v1/contacts/${name}`, { token: tokens.friend! });
  }
  const disabled = await call(app, 'PATCH', '/v1/admin/users/gone', { token: tokens.admin, body: { disabled: true } });
  assert.equal(disabled.status, 200);
  return { tokens, spareTokenIds, victimTokenId: victimSpare.json.id };
}

/** A fresh space with one member of each role, messages, and capabilities of every kind. */
export async function createWorld(app: FastifyInstance, cast: Cast, nowMs: number): Promise<World> {
  const t = cast.tokens;
  const ok = async (p: Promise<{ status: number; json: any; body: string }>, status: number) => {
    const res = await p;
    assert.equal(res.status, status, res.body);
    return res.json;
  };
  const spaceId = (await ok(call(app, 'POST', '/v1/spaces', { token: t.own!, body: { name: 'matrix' } }), 201)).id;
  const otherSpaceId = (await ok(call(app, 'POST', '/v1/spaces', { token: t.outs!, body: { name: 'elsewhere' } }), 201)).id;
  for (const [name, role] of [['moddy', 'moderator'], ['mem', 'member'], ['rdr', 'reader'], ['extra', 'member'], ['gone', 'member']]) {
    await ok(call(app, 'PUT', `/v1/spaces/${spaceId}/members/${name}`, { token: t.own!, body: { role } }), 200);
  }
  const messageBy: Record<string, string> = {};
  for (const name of ['own', 'moddy', 'mem', 'extra']) {
    messageBy[name] = (await ok(call(app, 'POST', `/v1/spaces/${spaceId}/messages`, { token: t[name]!, body: { text: `by ${name}` } }), 201)).id;
  }
  const messageInOtherSpace = (await ok(call(app, 'POST', `/v1/spaces/${otherSpaceId}/messages`, { token: t.outs!, body: { text: 'elsewhere' } }), 201)).id;
  const mint = (space: string, token: string, permissions: string[]) =>
    ok(call(app, 'POST', `/v1/spaces/${space}/capabilities`, { token, body: { permissions, expiresInSeconds: 3600 } }), 201);
  const capRead = await mint(spaceId, t.moddy!, ['read']);
  const capReadPost = await mint(spaceId, t.moddy!, ['read', 'post']);
  const capRevoked = await mint(spaceId, t.moddy!, ['read', 'post']);
  await ok(call(app, 'DELETE', `/v1/spaces/${spaceId}/capabilities/${capRevoked.id}`, { token: t.moddy! }), 204);
  const capOther = await mint(otherSpaceId, t.outs!, ['read', 'post']);
  // Expired: an attenuated copy whose own expiry lies in the past.
  const capExpired = attenuateCapability(capReadPost.token, { expiresInSeconds: 1 }, nowMs - 10_000);

  const bearer = (name: string) => ({ authorization: `Bearer ${t[name]!}` });
  const capability = (token: string) => ({ authorization: `Capability ${token}` });
  return {
    spaceId, otherSpaceId, messageBy, messageInOtherSpace,
    capabilityInSpace: capRead.id, capabilityInOtherSpace: capOther.id,
    auth: {
      anonymous: {}, outsider: bearer('outs'), reader: bearer('rdr'), member: bearer('mem'), moderator: bearer('moddy'),
      owner: bearer('own'), admin: bearer('admin'), disabled: bearer('gone'),
      capRead: capability(capRead.token), capReadPost: capability(capReadPost.token), capOther: capability(capOther.token),
      capExpired: capability(capExpired), capRevoked: capability(capRevoked.token),
    },
  };
}
