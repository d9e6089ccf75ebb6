// fast-check arbitraries for the fuzz run: a request to one of the live routes with path
// parameters, query string, body, content type, credential and method drawn from valid values
// (generated from the route's own JSON schema, or the seeded ids) and from hostile ones
// (traversal, unicode, huge strings, wrong types, deep nesting, huge arrays, invalid JSON,
// prototype keys, wrong content types, forged or half credentials).
import fc from 'fast-check';
import { credentialFor, isDestructive, type JsonSchema, type Route } from './routes.ts';
import type { SeededIds } from './seed.ts';

export interface FuzzRequest {
  readonly route: string;
  readonly method: string;
  /** Raw path and query, sent as is. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Strings attackers try first. */
const HOSTILE = [
  "' OR '1'='1", "1; DROP TABLE users;--", "\" OR \"\"=\"", "admin'--", "1 UNION SELECT NULL--", "%27", "\\", "'", '"',
  '../../../../etc/passwd', '..\\..\\windows\\win.ini', '....//....//', '/', '.', '..', '%2e%2e%2f', '%00', '\u0000', 'a\u0000b',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  '<script>alert(1)</script>', '${7*7}', '{{7*7}}', '%s%s%s%n', '\r\nSet-Cookie: x=1', 'null', 'undefined', 'true', '[]', '{}',
  '\u202Egnp.exe', '\uFEFF', '\uD800', '\uDFFF', '😀'.repeat(50), 'ß'.repeat(64), 'İ', 'Ⅻ', '\u0301',
  '-1', '0', '-0', '1e309', 'NaN', 'Infinity', '9'.repeat(400), '0x10', '1.5', ' 1', '１２３',
  '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-02-30T00:00:00Z', '+275760-09-13T00:00:00.000Z',
];

/** Any string: hostile ones, arbitrary unicode (lone surrogates included), huge ones. */
export const junkString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 80 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.integer({ min: 65, max: 30_000 }).map((n) => 'A'.repeat(n)), weight: 1 },
);

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true, min: new Date(0), max: new Date('2100-01-01') }).map((d) => d.toISOString());
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 64, 300) });
}

/** Values that satisfy `schema` (ids and names are rarely real ones: those come from the seed). */
export function valid(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => valid(s, depth)));
  switch (schema.type) {
    case 'string': return stringOf(schema);
    case 'integer': return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number': return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean': return fc.boolean();
    case 'array': {
      const items = valid(schema.items ?? {}, depth + 1);
      return fc.array(items, { minLength: schema.minItems ?? 0, maxLength: schema.maxItems ?? 5 });
    }
    case 'object': {
      if (depth > 4) return fc.constant({});
      const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, valid(s, depth + 1)]));
      return fc.record(properties, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) });
    }
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A value of the wrong type, or a right-typed but hostile one. */
const wrong: fc.Arbitrary<unknown> = fc.oneof(
  junkString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, [], {}, [null], { __proto__: null }),
);

/** Valid bodies with one field made wrong, or an extra field. */
function mutated(schema: JsonSchema): fc.Arbitrary<unknown> {
  const keys = [...Object.keys(schema.properties ?? {}), 'extra', '__proto__', 'constructor', 'isAdmin', 'role', 'owner'];
  return fc.tuple(valid(schema), fc.constantFrom(...keys), wrong).map(([value, key, bad]) => {
    const out = value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as object) } : {};
    Object.defineProperty(out, key, { value: bad, enumerable: true, writable: true, configurable: true });
    return out;
  });
}

/** Deeply nested arrays or objects, past the server's depth limit and far past it. */
const deep: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 10, max: 20_000 }), fc.boolean()).map(([n, arrays]) =>
  arrays ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);

/** Huge arrays and long strings, around and past the 1 MiB body limit. */
const huge: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 1000, max: 300_000 }), fc.constantFrom('0', '"x"', '{}', 'null')).map(([n, item]) =>
  `{"text":[${Array.from({ length: n }, () => item).join(',')}]}`);

/** Bodies that are not JSON, half JSON, or JSON that a careless parser would trust. */
const notJson: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', ' ', '{', '{"a":', '[1,2', 'nul', '{"a":1}{"b":2}', '{"a":1,}', "{'a':1}", '{"a":NaN}', '{"a":01}', '\uFEFF{}',
    '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}', '{"a":"\\ud800"}', '{"a":1e999999}', '"just a string"', '12345'),
);

function bodyArbitrary(route: Route): fc.Arbitrary<string | undefined> {
  const json = (a: fc.Arbitrary<unknown>) => a.map((v) => JSON.stringify(v));
  const forSchema = route.body ? [json(valid(route.body)), json(valid(route.body)), json(mutated(route.body))] : [];
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: route.body ? 1 : 6 },
    ...forSchema.map((arbitrary) => ({ arbitrary, weight: 3 })),
    { arbitrary: json(fc.jsonValue({ maxDepth: 4 })), weight: 1 },
    { arbitrary: deep, weight: 1 },
    { arbitrary: huge, weight: 1 },
    { arbitrary: notJson, weight: 1 },
  );
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json;charset=latin1',
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/problem+json', 'application/xml', '', '*/*', 'application/JSON'];

/** UTF-8 bytes, percent-encoded (lone surrogates become U+FFFD, as a browser would send). */
export function percentEncode(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** Characters Node lets through in a request target unencoded: a raw attacker's path. */
function rawPathSafe(s: string): string {
  return s.replace(/[^\u0021-\u00ff]|[?#]/g, '');
}

/** A path segment: the seeded id, or junk encoded several ways (traversal, overlong UTF-8, bad escapes). */
function segment(seeded: string | undefined): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(seeded ?? 'x'), weight: 4 },
    { arbitrary: junkString.map(percentEncode), weight: 3 },
    { arbitrary: junkString.map(rawPathSafe).filter((s) => s.length > 0), weight: 1 },
    { arbitrary: fc.constantFrom('..', '.', '%2e%2e', '%2E%2E%2F..%2F', '..%2f..%2fetc%2fpasswd', '%c0%ae%c0%ae', '%', '%zz', '%00', '%ff%fe', '%u002e', ';', '..;', '%20', '~', 'x'.repeat(201)), weight: 2 },
  );
}

function queryArbitrary(route: Route): fc.Arbitrary<string> {
  const known = route.queryParams.map((p) => fc.option(fc.oneof(valid(p.schema).map(String), junkString).map((v) => `${p.name}=${percentEncode(v)}`), { nil: undefined }));
  const extra = fc.array(fc.oneof(
    fc.tuple(fc.constantFrom(...route.queryParams.map((p) => p.name), 'limit', '__proto__', 'constructor', 'a[b]', 'limit[]'), junkString).map(([k, v]) => `${encodeURI(k)}=${percentEncode(v)}`),
    fc.constantFrom('&&', '=', 'a', 'a=1&a=2', 'limit=1&limit=2', '%zz=1', 'x=%', '__proto__[isAdmin]=true'),
  ), { maxLength: 3 });
  return fc.tuple(fc.tuple(...known), extra).map(([k, e]) => [...k.filter((v) => v !== undefined), ...e].join('&'));
}

/** Header values Node will send (no CR, LF or characters past U+00FF). */
function headerSafe(s: string): string {
  return s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
}

function credentialArbitrary(route: Route, seeded: SeededIds): fc.Arbitrary<Record<string, string>> {
  const valid = credentialFor(route, seeded) ?? `Bearer ${seeded.tokens.alice}`;
  const { cookie, csrfToken } = seeded.session;
  return fc.oneof(
    { arbitrary: fc.constant({ authorization: valid }), weight: 8 },
    { arbitrary: fc.constant({}), weight: 2 },
    { arbitrary: fc.constant({ authorization: `Bearer ${seeded.tokens.bob}` }), weight: 1 },
    { arbitrary: fc.constant({ authorization: `Capability ${seeded.capabilityToken}` }), weight: 1 },
    { arbitrary: fc.constant({ cookie }), weight: 1 },
    { arbitrary: junkString.map((j) => ({ cookie, 'x-csrf-token': headerSafe(j) || csrfToken.slice(1) })), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom('Bearer ', 'Basic ', 'Capability ', 'bearer ', '', 'Digest '), junkString).map(([s, j]) => ({ authorization: headerSafe(s + j) })), weight: 2 },
  );
}

const EXTRA_HEADERS: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 12 },
  { arbitrary: junkString.map((j) => ({ 'x-forwarded-for': headerSafe(j) })), weight: 1 },
  { arbitrary: fc.constantFrom<Record<string, string>>(
    { 'x-http-method-override': 'DELETE' }, { 'content-encoding': 'gzip' }, { 'accept-encoding': 'gzip, br' }, { accept: 'text/html' },
    { 'x-request-id': '../../x' }, { 'x-large': 'a'.repeat(20_000) }, { expect: '100-continue' }, { origin: 'https://evil.example' },
    { 'x-forwarded-proto': 'http' }, { 'x-forwarded-host': 'evil.example' }, { range: 'bytes=0-1' }, { 'if-none-match': '*' }), weight: 2 },
);

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'FOO'];

/** A request to `route`, mostly well-formed where it matters and hostile everywhere else. */
export function requestArbitrary(route: Route, seeded: SeededIds): fc.Arbitrary<FuzzRequest> {
  const values = isDestructive(route) ? seeded.forDelete : seeded.params;
  const segments = fc.tuple(...route.pathParams.map((p) => segment(values[p.name] ?? seeded.params[p.name])));
  return fc.record({
    method: fc.oneof({ arbitrary: fc.constant(route.method), weight: 9 }, { arbitrary: fc.constantFrom(...OTHER_METHODS), weight: 1 }),
    segments,
    query: queryArbitrary(route),
    body: bodyArbitrary(route),
    contentType: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 8 }, { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 2 }),
    credential: credentialArbitrary(route, seeded),
    extra: EXTRA_HEADERS,
  }).map(({ method, segments, query, body, contentType, credential, extra }) => {
    let i = 0;
    const path = route.template.replace(/\{\w+\}/g, () => segments[i++]!);
    const headers: Record<string, string> = { ...credential, ...extra };
    if (body !== undefined && contentType) headers['content-type'] = contentType;
    return { route: `${route.method} ${route.template}`, method, path: query ? `${path}?${query}` : path, headers, ...(body !== undefined ? { body } : {}) };
  });
}

/** Bytes on a raw TLS connection: malformed request lines, headers and framing (request smuggling shapes). */
export const rawRequestArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('GET', 'FOO', 'G\u0000T', '', 'GET GET', 'get'), junkString.map(rawPathSafe), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'HTTP/1', '', 'HTTPS/1.1'))
    .map(([m, p, v]) => `${m} /${p} ${v}\r\nHost: localhost\r\n\r\n`),
  fc.constantFrom(
    'GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
    'POST /v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n0\r\n\r\n',
    'POST /v1/users HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: localhost\r\n folded: x\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: localhost\r\nX: a\u0000b\r\n\r\n',
    'GET / HTTP/1.1\nHost: localhost\n\n',
    'GET /\r\n\r\n',
    '\r\n\r\n',
    `GET / HTTP/1.1\r\nHost: localhost\r\nX-Large: ${'a'.repeat(70_000)}\r\n\r\n`,
    `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    'CONNECT localhost:443 HTTP/1.1\r\nHost: localhost\r\n\r\n',
  ),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => `${Buffer.from(b).toString('latin1')}\r\n\r\n`),
);
