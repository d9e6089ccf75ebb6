// The expected status of every live route for every kind of caller: the policy, written out
// as a table a reviewer can read. A route missing here makes the matrix test fail.
import { USER_OF, type Caller, type Cast, type World } from './world.ts';

export type Row = Record<Caller, number>;
export interface Case {
  /** e.g. "own object" or "someone else's object". */
  readonly variant: string;
  /** Build a fresh world first: the request changes or destroys the objects it names. */
  readonly fresh?: boolean;
  readonly request: (w: World, caller: Caller, ctx: { cast: Cast; unique: () => string }) => { url: string; body?: unknown };
  readonly expect: Row;
}

/** Credentials that fail authentication: 401 on every route, public ones included. */
const DEAD = { capExpired: 401, capRevoked: 401, disabled: 401 } as const;
const NO_CAPS = { capRead: 401, capReadPost: 401, capOther: 401 } as const;
const users = (s: number) => ({ outsider: s, reader: s, member: s, moderator: s, owner: s, admin: s });

/** Public: anyone, with a valid credential or none. */
const publicRow = (s: number): Row => ({ anonymous: s, ...users(s), capRead: s, capReadPost: s, capOther: s, ...DEAD });
/** Any logged-in user; capabilities are not accepted. */
const usersRow = (s: number): Row => ({ anonymous: 401, ...users(s), ...NO_CAPS, ...DEAD });
/** Administrators only. */
const adminRow = (s: number): Row => ({ ...usersRow(403), admin: s });
/** A route on the space: non-members (outsider, admin) 404; the roles and capabilities as given. */
function spaceRow(r: { reader: number; member: number; moderator: number; owner: number; nonMember?: number; capRead?: number; capReadPost?: number; capOther?: number }): Row {
  const nonMember = r.nonMember ?? 404;
  return {
    anonymous: 401, outsider: nonMember, admin: nonMember, reader: r.reader, member: r.member, moderator: r.moderator, owner: r.owner,
    capRead: r.capRead ?? 401, capReadPost: r.capReadPost ?? 401, capOther: r.capOther ?? 401, ...DEAD,
  };
}
const allRoles = (s: number) => ({ reader: s, member: s, moderator: s, owner: s });

/** The username of a user caller, or a bystander for callers that are not users. */
const selfOr = (caller: Caller, other: string) => (caller in USER_OF ? USER_OF[caller as keyof typeof USER_OF] : other);
const one = (variant: string, request: Case['request'], expect: Row, fresh = false): Case[] => [{ variant, request, expect, fresh }];
const at = (url: string) => () => ({ url });

export const EXPECTATIONS: Record<string, readonly Case[]> = {
  'GET /healthz': one('-', at('/healthz'), publicRow(200)),
  'GET /readyz': one('-', at('/readyz'), publicRow(200)),
  'GET /metrics': one('-', at('/metrics'), adminRow(200)),
  'GET /openapi.json': one('-', at('/openapi.json'), publicRow(200)),
  'GET /docs': one('-', at('/docs'), publicRow(200)),
  // The browser UI (src/web): the page and its assets ignore cookies; an unknown asset is 404.
  'GET /': one('-', at('/'), publicRow(200)),
  'GET /assets/:file': one('unknown file', at('/assets/app-0000000000000000.js'), publicRow(404)),
  // Session cookies only: the matrix's users call with bearer tokens, which this route refuses.
  'GET /v1/sessions/current/csrf': one('-', at('/v1/sessions/current/csrf'), usersRow(401)),
  'POST /v1/users': one('-', (_w, _c, { unique }) => ({ url: '/v1/users', body: { username: `new${unique()}`, password: 'Pw-matrix-tulip-orbit-canyon-42' } }), publicRow(201)),
  'GET /v1/users/me': one('-', at('/v1/users/me'), usersRow(200)),
  'POST /v1/sessions': one('wrong password', () => ({ url: '/v1/sessions', body: { username: 'victim', password: 'Not-the-password-0000' } }), publicRow(401)),
  // Bearer tokens cannot log out a session, nor mint tokens (session or Basic only).
  'DELETE /v1/sessions/current': one('-', at('/v1/sessions/current'), usersRow(401)),
  'POST /v1/tokens': one('-', () => ({ url: '/v1/tokens', body: { name: 'x' } }), usersRow(401)),
  'GET /v1/sessions': one('-', at('/v1/sessions'), usersRow(200)),
  'DELETE /v1/sessions': one('sign out everywhere', at('/v1/sessions'), usersRow(204)),
  'PUT /v1/users/me/password': one('wrong current password', () => ({ url: '/v1/users/me/password', body: { currentPassword: 'Not-the-password-0000', newPassword: 'Pw-matrix-new-tulip-orbit-42' } }), usersRow(403)),
  'POST /v1/users/me/mfa/totp': one('start enrolment', at('/v1/users/me/mfa/totp'), usersRow(200)),
  'POST /v1/users/me/mfa/totp/confirm': one('nothing to confirm', () => ({ url: '/v1/users/me/mfa/totp/confirm', body: { code: '000000' } }), usersRow(400)),
  'DELETE /v1/users/me/mfa/totp': one('TOTP not enabled', () => ({ url: '/v1/users/me/mfa/totp', body: { code: '000000' } }), usersRow(404)),
  'POST /v1/users/me/mfa/webauthn/options': one('-', at('/v1/users/me/mfa/webauthn/options'), usersRow(200)),
  'POST /v1/users/me/mfa/webauthn': one('a made-up attestation', () => ({ url: '/v1/users/me/mfa/webauthn', body: { name: 'x', response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'AAAA', attestationObject: 'AAAA' }, clientExtensionResults: {} } } }), usersRow(400)),
  'GET /v1/users/me/mfa/webauthn': one('-', at('/v1/users/me/mfa/webauthn'), usersRow(200)),
  'DELETE /v1/users/me/mfa/webauthn/:passkeyId': one('someone else’s or no passkey', at('/v1/users/me/mfa/webauthn/AAAAAAAA'), usersRow(404)),
  'POST /v1/sessions/webauthn/options': one('-', at('/v1/sessions/webauthn/options'), publicRow(200)),
  'POST /v1/sessions/webauthn': one('a malformed assertion', () => ({ url: '/v1/sessions/webauthn', body: { response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'AAAA', authenticatorData: 'AAAA', signature: 'AAAA' }, clientExtensionResults: {} } } }), publicRow(400)),
  'GET /v1/tokens': one('-', at('/v1/tokens'), usersRow(200)),
  'DELETE /v1/tokens/:tokenId': [
    { variant: 'own token', request: (_w, c, { cast }) => ({ url: `/v1/tokens/${cast.spareTokenIds[selfOr(c, 'victim')] ?? cast.victimTokenId}` }), expect: usersRow(204) },
    { variant: 'someone else’s token (BOLA)', request: (_w, _c, { cast }) => ({ url: `/v1/tokens/${cast.victimTokenId}` }), expect: usersRow(404) },
  ],
  'GET /v1/admin/users': one('-', at('/v1/admin/users'), adminRow(200)),
  'GET /v1/admin/users/:username': one('-', at('/v1/admin/users/victim'), adminRow(200)),
  'PATCH /v1/admin/users/:username': [
    { variant: 'another user', request: () => ({ url: '/v1/admin/users/victim', body: { disabled: false } }), expect: adminRow(200) },
    { variant: 'disable yourself', request: (_w, c) => ({ url: `/v1/admin/users/${selfOr(c, 'victim')}`, body: { disabled: true } }), expect: adminRow(409) },
  ],
  'DELETE /v1/admin/users/:username/mfa': one('another user', at('/v1/admin/users/victim/mfa'), adminRow(204), true),
  'GET /v1/audit': one('-', at('/v1/audit?limit=1'), adminRow(200)),
  'GET /v1/audit/verify': one('-', at('/v1/audit/verify'), adminRow(200)),
  'POST /v1/spaces': one('-', () => ({ url: '/v1/spaces', body: { name: 'new' } }), usersRow(201)),
  'GET /v1/spaces': one('-', at('/v1/spaces'), usersRow(200)),
  'GET /v1/spaces/:spaceId': [
    { variant: 'the space', request: (w) => ({ url: `/v1/spaces/${w.spaceId}` }), expect: spaceRow(allRoles(200)) },
    { variant: 'someone else’s space (BOLA)', request: (w) => ({ url: `/v1/spaces/${w.otherSpaceId}` }), expect: { ...spaceRow({ ...allRoles(404) }), outsider: 200 } },
  ],
  'DELETE /v1/spaces/:spaceId': one('-', (w) => ({ url: `/v1/spaces/${w.spaceId}` }), spaceRow({ reader: 403, member: 403, moderator: 403, owner: 204 }), true),
  'GET /v1/spaces/:spaceId/members': one('-', (w) => ({ url: `/v1/spaces/${w.spaceId}/members` }), spaceRow(allRoles(200))),
  'PUT /v1/spaces/:spaceId/members/:username': [
    { variant: 'someone else', fresh: true, request: (w) => ({ url: `/v1/spaces/${w.spaceId}/members/victim`, body: { role: 'member' } }), expect: spaceRow({ reader: 403, member: 403, moderator: 200, owner: 200 }) },
    { variant: 'yourself', fresh: true, request: (w, c) => ({ url: `/v1/spaces/${w.spaceId}/members/${selfOr(c, 'victim')}`, body: { role: 'member' } }), expect: spaceRow({ reader: 403, member: 403, moderator: 403, owner: 409 }) },
  ],
  'DELETE /v1/spaces/:spaceId/members/:username': [
    { variant: 'someone else', fresh: true, request: (w) => ({ url: `/v1/spaces/${w.spaceId}/members/extra` }), expect: spaceRow({ reader: 403, member: 403, moderator: 204, owner: 204 }) },
    { variant: 'yourself', fresh: true, request: (w, c) => ({ url: `/v1/spaces/${w.spaceId}/members/${selfOr(c, 'victim')}` }), expect: spaceRow({ reader: 204, member: 204, moderator: 204, owner: 409 }) },
  ],
  'POST /v1/spaces/:spaceId/messages': one('-', (w) => ({ url: `/v1/spaces/${w.spaceId}/messages`, body: { text: 'hello' } }),
    spaceRow({ reader: 403, member: 201, moderator: 201, owner: 201, capRead: 403, capReadPost: 201, capOther: 404 })),
  'GET /v1/spaces/:spaceId/messages': one('-', (w) => ({ url: `/v1/spaces/${w.spaceId}/messages` }),
    spaceRow({ ...allRoles(200), capRead: 200, capReadPost: 200, capOther: 404 })),
  'GET /v1/spaces/:spaceId/messages/:messageId': [
    { variant: 'someone else’s message', request: (w) => ({ url: `/v1/spaces/${w.spaceId}/messages/${w.messageBy.extra}` }), expect: spaceRow({ ...allRoles(200), capRead: 200, capReadPost: 200, capOther: 404 }) },
    { variant: 'a message of another space (BOLA)', request: (w) => ({ url: `/v1/spaces/${w.spaceId}/messages/${w.messageInOtherSpace}` }), expect: spaceRow({ ...allRoles(404), capRead: 404, capReadPost: 404, capOther: 404 }) },
  ],
  'DELETE /v1/spaces/:spaceId/messages/:messageId': [
    { variant: 'own message', fresh: true, request: (w, c) => ({ url: `/v1/spaces/${w.spaceId}/messages/${w.messageBy[selfOr(c, 'extra')] ?? w.messageBy.extra}` }), expect: spaceRow({ reader: 403, member: 204, moderator: 204, owner: 204 }) },
    { variant: 'someone else’s message', fresh: true, request: (w) => ({ url: `/v1/spaces/${w.spaceId}/messages/${w.messageBy.extra}` }), expect: spaceRow({ reader: 403, member: 403, moderator: 204, owner: 204 }) },
    { variant: 'a message of another space (BOLA)', fresh: true, request: (w) => ({ url: `/v1/spaces/${w.spaceId}/messages/${w.messageInOtherSpace}` }), expect: spaceRow(allRoles(404)) },
  ],
  'POST /v1/spaces/:spaceId/capabilities': one('-', (w) => ({ url: `/v1/spaces/${w.spaceId}/capabilities`, body: { permissions: ['read'], expiresInSeconds: 600 } }),
    spaceRow({ reader: 403, member: 403, moderator: 201, owner: 201 })),
  'GET /v1/spaces/:spaceId/capabilities': one('-', (w) => ({ url: `/v1/spaces/${w.spaceId}/capabilities` }), spaceRow({ reader: 403, member: 403, moderator: 200, owner: 200 })),
  'DELETE /v1/spaces/:spaceId/capabilities/:capId': [
    { variant: 'a capability of the space', fresh: true, request: (w) => ({ url: `/v1/spaces/${w.spaceId}/capabilities/${w.capabilityInSpace}` }), expect: spaceRow({ reader: 403, member: 403, moderator: 204, owner: 204 }) },
    { variant: 'a capability of another space (BOLA)', fresh: true, request: (w) => ({ url: `/v1/spaces/${w.spaceId}/capabilities/${w.capabilityInOtherSpace}` }), expect: spaceRow({ reader: 403, member: 403, moderator: 404, owner: 404 }) },
  ],
  'PUT /v1/contacts/:username': [
    { variant: 'another user', request: () => ({ url: '/v1/contacts/victim' }), expect: usersRow(200) },
    { variant: 'yourself', request: (_w, c) => ({ url: `/v1/contacts/${selfOr(c, 'victim')}` }), expect: usersRow(400) },
  ],
  'GET /v1/contacts': one('-', at('/v1/contacts'), usersRow(200)),
  'DELETE /v1/contacts/:username': one('a pending request', at('/v1/contacts/victim'), usersRow(204)),
  'POST /v1/direct/:username/messages': [
    { variant: 'a connected contact', request: () => ({ url: '/v1/direct/friend/messages', body: { text: 'hi' } }), expect: usersRow(201) },
    { variant: 'not a contact', request: () => ({ url: '/v1/direct/victim/messages', body: { text: 'hi' } }), expect: usersRow(403) },
  ],
  'GET /v1/direct/:username/messages': [
    { variant: 'a connected contact', request: () => ({ url: '/v1/direct/friend/messages' }), expect: usersRow(200) },
    { variant: 'not a contact', request: () => ({ url: '/v1/direct/victim/messages' }), expect: usersRow(200) },
  ],
};
