import { Type } from '@sinclair/typebox';
import { SCOPES } from '../pipeline/authn/principal.ts';
import { USERNAME_PATTERN } from './AccountService.ts';
import { PASSWORD_MAX_LENGTH } from './passwordPolicy.ts';
import { TOKEN_CURSOR_MAX_LENGTH } from './tokenCursor.ts';

const Username = Type.String({ pattern: USERNAME_PATTERN, minLength: 3, maxLength: 32, description: 'Lowercase letters, digits, _ or -' });
// Length and strength are checked by the password policy, which names the rule that failed.
const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4, description: '12–256 characters, not common, not containing the username' });
const Scope = Type.Union(SCOPES.map((s) => Type.Literal(s)));
const IsoTime = Type.String({ format: 'date-time' });
/** A WebAuthn ceremony answer: the challenge id the server gave, and the browser's PublicKeyCredential as JSON. */
export const PasskeyAnswer = Type.Object(
  {
    challengeId: Type.String({ minLength: 1, maxLength: 64 }),
    response: Type.Object(
      { id: Type.String({ maxLength: 1400 }), rawId: Type.String({ maxLength: 1400 }), type: Type.Literal('public-key'), response: Type.Object({}, { additionalProperties: true }) },
      { additionalProperties: true, description: 'The PublicKeyCredential, JSON-encoded as by @simplewebauthn/browser' },
    ),
  },
  { additionalProperties: false },
);
const Otp = Type.String({ minLength: 6, maxLength: 32, description: 'A current TOTP code or an unused recovery code' });

export const RegisterBody = Type.Object({ username: Username, password: Password }, { additionalProperties: false });
export const UserCreated = Type.Object({ id: Type.String(), username: Type.String() });
export const Me = Type.Object({
  id: Type.String(),
  username: Type.String(),
  roles: Type.Array(Type.String()),
  mfa: Type.Object({ totp: Type.Boolean(), webauthn: Type.Integer(), recoveryCodesLeft: Type.Optional(Type.Integer()) }),
  authMethod: Type.String(),
});

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Password,
    otp: Type.Optional(Otp),
    passkey: Type.Optional({ ...PasskeyAnswer, description: 'A passkey assertion as the second factor (options from POST /v1/sessions/webauthn/options)' }),
  },
  { additionalProperties: false },
);
export const SessionCreated = Type.Object({ csrfToken: Type.String(), expiresAt: IsoTime });

export const TokenRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Optional(Type.Array(Scope, { minItems: 1, maxItems: SCOPES.length, uniqueItems: true, description: 'Defaults to ["read","write"]' })),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, description: 'Defaults to 30 days; capped by the server maximum' })),
    otp: Type.Optional(Type.String({ minLength: 6, maxLength: 32, description: 'With HTTP Basic, when the account has MFA: a current TOTP code or an unused recovery code' })),
    passkey: Type.Optional(PasskeyAnswer),
  },
  { additionalProperties: false },
);
/** At most `limit` tokens, newest first; further pages through `cursor` (the route's `Link: rel="next"`). */
export const ListTokensQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: TOKEN_CURSOR_MAX_LENGTH, description: 'From the previous page\'s Link rel="next"' })),
  },
  { additionalProperties: false },
);
export const TokenInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Scope),
  createdAt: IsoTime,
  expiresAt: IsoTime,
  revoked: Type.Boolean(),
});
export const TokenCreated = Type.Object({
  id: Type.String(),
  token: Type.String({ description: 'Shown once; send as Authorization: Bearer <token>' }),
  name: Type.String(),
  scopes: Type.Array(Scope),
  expiresAt: IsoTime,
});
export const TokenList = Type.Object({ items: Type.Array(TokenInfo) });
export const TokenIdParams = Type.Object({ tokenId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export const TotpEnrolment = Type.Object({
  otpauthUri: Type.String({ description: 'otpauth://totp/… for an authenticator app' }),
  secret: Type.String({ description: 'The base32 secret, for typing in by hand' }),
  qrCodeSvg: Type.String({ description: 'The otpauthUri as an SVG QR code' }),
});
export const CodeBody = Type.Object({ code: Otp }, { additionalProperties: false });
export const RecoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String(), { description: 'Shown once; each works once' }) });

export const SessionInfo = Type.Object({
  id: Type.String(),
  createdAt: IsoTime,
  lastSeenAt: IsoTime,
  expiresAt: IsoTime,
  current: Type.Boolean(),
});
export const SessionList = Type.Object({ items: Type.Array(SessionInfo) });
export const PasswordChange = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false });

export const CeremonyOptions = Type.Object({
  challengeId: Type.String({ description: 'Send back with the answer; single use, valid 5 minutes' }),
  options: Type.Object({}, { additionalProperties: true, description: 'PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON for the browser' }),
});
export const PasskeyRegistration = Type.Object(
  { challengeId: Type.String({ minLength: 1, maxLength: 64 }), response: Type.Object({}, { additionalProperties: true }), name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
);
export const PasskeyInfo = Type.Object({ id: Type.String(), name: Type.String(), createdAt: IsoTime, lastUsedAt: Type.Union([IsoTime, Type.Null()]), backedUp: Type.Boolean() });
export const PasskeyList = Type.Object({ items: Type.Array(PasskeyInfo) });
export const PasskeyIdParams = Type.Object({ passkeyId: Type.String({ minLength: 1, maxLength: 1400 }) }, { additionalProperties: false });
