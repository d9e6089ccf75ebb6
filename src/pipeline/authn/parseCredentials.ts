/** What the request presents as proof of identity, before anything is checked. */
export type PresentedCredential =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'capability'; readonly token: string }
  | { readonly kind: 'session'; readonly cookie: string }
  | { readonly kind: 'malformed'; readonly reason: string };

export const SESSION_COOKIE = '__Host-gh_session';

const TOKEN_SYNTAX = /^[A-Za-z0-9._~+/-]+=*$/;

/**
 * Reads the Authorization header or the session cookie. Pure. An Authorization header wins
 * over a cookie: it cannot be sent by a cross-site form, so it needs no CSRF token.
 */
export function parseCredentials(authorization: string | undefined, sessionCookie: string | undefined): PresentedCredential {
  if (authorization !== undefined) {
    const space = authorization.indexOf(' ');
    const scheme = (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : authorization.slice(space + 1).trim();
    if (!value) return { kind: 'malformed', reason: 'Authorization header without credentials' };
    switch (scheme) {
      case 'bearer':
        return TOKEN_SYNTAX.test(value) && value.length <= 512
          ? { kind: 'bearer', token: value }
          : { kind: 'malformed', reason: 'bearer token has invalid syntax' };
      case 'capability':
        return value.length <= 4096 && TOKEN_SYNTAX.test(value)
          ? { kind: 'capability', token: value }
          : { kind: 'malformed', reason: 'capability token has invalid syntax' };
      case 'basic':
        return parseBasic(value);
      default:
        return { kind: 'malformed', reason: `unsupported authorization scheme` };
    }
  }
  if (sessionCookie) return { kind: 'session', cookie: sessionCookie };
  return { kind: 'none' };
}

function parseBasic(value: string): PresentedCredential {
  if (value.length > 1400 || !/^[A-Za-z0-9+/]+=*$/.test(value)) return { kind: 'malformed', reason: 'basic credentials are not base64' };
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return { kind: 'malformed', reason: 'basic credentials without username:password' };
  return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
