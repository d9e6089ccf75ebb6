// Keyset pages for lists whose body the API fixes (a bare array, or `{items}`): the next page
// is announced in an RFC 8288 `Link: <…>; rel="next"` header instead, so the body stays as it
// was. A cursor is base64url of a small text that each list validates strictly; it is only a
// position, never an authorization: every page passes the route's access control again.

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The opaque form of a cursor's text (base64url: nothing to escape in a URL). */
export function encodeCursorText(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The text inside a cursor, or undefined unless the cursor is canonical base64url of UTF-8. */
export function decodeCursorText(cursor: string): string | undefined {
  if (!BASE64URL.test(cursor)) return undefined;
  const bytes = Buffer.from(cursor, 'base64url');
  // Node's decoder skips what it cannot read; only the one spelling this server writes passes.
  if (bytes.toString('base64url') !== cursor) return undefined;
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

/** The `Link` header value for the next page (RFC 8288 §3): a relative reference to `path`, whose segments the caller has encoded. */
export function nextPageLink(path: string, limit: number, cursor: string): string {
  return `<${path}?limit=${limit}&cursor=${encodeURIComponent(cursor)}>; rel="next"`;
}
