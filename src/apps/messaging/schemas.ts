import { Type } from '@sinclair/typebox';
import { MEMBER_CURSOR_MAX_LENGTH } from './memberCursor.ts';
import { ROLES } from './policy.ts';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const IsoTime = Type.String({ format: 'date-time' });
export const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));

export const SpaceParams = Type.Object({ spaceId: Id }, { additionalProperties: false });
export const MemberParams = Type.Object({ spaceId: Id, username: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const MessageParams = Type.Object({ spaceId: Id, messageId: Id }, { additionalProperties: false });

export const CreateSpaceBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export const Space = Type.Object({ id: Type.String(), name: Type.String(), owner: Type.String(), createdAt: IsoTime });
export const SpaceListItem = Type.Object({ id: Type.String(), name: Type.String(), owner: Type.String(), role: Role, createdAt: IsoTime });
export const SpaceList = Type.Object({ items: Type.Array(SpaceListItem) });
export const ListSpacesQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }, { additionalProperties: false });

export const MemberList = Type.Array(Type.Object({ username: Type.String(), role: Role }));
/** At most `limit` members, in username order; further pages through `cursor` (the route's `Link: rel="next"`). */
export const ListMembersQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: MEMBER_CURSOR_MAX_LENGTH, description: 'From the previous page\'s Link rel="next"' })),
  },
  { additionalProperties: false },
);
export const SetRoleBody = Type.Object({ role: Role }, { additionalProperties: false });
export const MemberInfo = Type.Object({ username: Type.String(), role: Role });

export const MESSAGE_MAX_LENGTH = 4000;
export const PostMessageBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH }) }, { additionalProperties: false });
export const Message = Type.Object({ id: Type.String(), author: Type.String(), text: Type.String(), createdAt: IsoTime });
export const MessagePage = Type.Object({ items: Type.Array(Message), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export const ListMessagesQuery = Type.Object(
  {
    since: Type.Optional(Type.String({ format: 'date-time', description: 'Only messages created at or after this time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const UsernameParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const ContactState = Type.Union([Type.Literal('pending'), Type.Literal('connected')]);
const Direction = Type.Union([Type.Literal('outgoing'), Type.Literal('incoming'), Type.Literal('both')], { description: 'who has asked: outgoing = you, incoming = they' });
export const Contact = Type.Object({ username: Type.String(), state: ContactState, direction: Direction });
export const ContactList = Type.Object({ items: Type.Array(Type.Object({ username: Type.String(), state: ContactState, direction: Direction, since: IsoTime })) });
export const ListContactsQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })) }, { additionalProperties: false });
export const DirectMessage = Type.Object({ id: Type.String(), author: Type.String(), to: Type.String(), text: Type.String(), createdAt: IsoTime });
export const DirectMessagePage = Type.Object({ items: Type.Array(DirectMessage), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export const ListDirectQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const CapabilityParams = Type.Object({ spaceId: Id, capId: Id }, { additionalProperties: false });
export const CapabilityPermissionSchema = Type.Union([Type.Literal('read'), Type.Literal('post')]);
export const CAPABILITY_MAX_LIFETIME_SECONDS = 90 * 24 * 3600;
export const CreateCapabilityBody = Type.Object(
  {
    permissions: Type.Array(CapabilityPermissionSchema, { minItems: 1, maxItems: 2, uniqueItems: true, description: '["read"] or ["read","post"]' }),
    expiresInSeconds: Type.Integer({ minimum: 60, maximum: CAPABILITY_MAX_LIFETIME_SECONDS }),
    methods: Type.Optional(Type.Array(Type.Union([Type.Literal('GET'), Type.Literal('POST')]), { minItems: 1, maxItems: 2, uniqueItems: true, description: 'Optional method caveat' })),
  },
  { additionalProperties: false },
);
export const CapabilityCreated = Type.Object({
  id: Type.String(),
  token: Type.String({ description: 'A macaroon; send as Authorization: Capability <token>. Shown once.' }),
  url: Type.String({ description: 'Share link that opens the space in the browser UI: the token is only in the fragment (#cap=…&space=…), which browsers never send' }),
  permissions: Type.Array(CapabilityPermissionSchema),
  expiresAt: IsoTime,
});
export const CapabilityList = Type.Object({
  items: Type.Array(Type.Object({
    id: Type.String(), issuer: Type.String(), permissions: Type.Array(CapabilityPermissionSchema),
    createdAt: IsoTime, expiresAt: IsoTime, revoked: Type.Boolean(),
  })),
});
export const ListCapabilitiesQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }, { additionalProperties: false });
