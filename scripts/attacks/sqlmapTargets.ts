// What sqlmap is aimed at: for every route that takes input (from the live OpenAPI
// document), its seeded URL and a valid JSON body, with sqlmap's custom injection marker `*`
// after every path parameter, query value and string in the body; plus the credentials
// themselves (bearer token, capability, session cookie) and the headers the audit log records
// (User-Agent, Referer: level 3 tests them when nothing else is marked).
import { checksSecret, credentialFor, exampleOf, isDestructive, pathValue, takesInput, type JsonSchema, type Route } from './routes.ts';
import type { SeededIds } from './seed.ts';

/** Where sqlmap injects: a path parameter, a query value, or a string in the JSON body (dotted path). */
export interface Point {
  readonly place: 'path' | 'query' | 'body' | 'header';
  readonly name: string;
  readonly schema: JsonSchema;
}

export interface MarkedRequest {
  readonly method: string;
  /** Path and query, each point followed by its marker (a star). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body?: string;
}

/** sqlmap's arguments for a request on the purpose server's port. */
export function requestArgs(request: MarkedRequest, port: number): string[] {
  const hasBody = request.body !== undefined;
  return [
    '-u', `https://127.0.0.1:${port}${request.path}`,
    ...(request.method !== 'GET' && !(request.method === 'POST' && hasBody) ? ['--method', request.method] : []),
    ...(hasBody ? ['--data', request.body!] : []),
    ...Object.entries(request.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
  ];
}

/** The request as sent without injection: the markers removed. */
export function unmarked(request: MarkedRequest): MarkedRequest {
  const strip = (s: string) => s.replaceAll('*', '');
  return {
    method: request.method,
    path: strip(request.path),
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, strip(v)])),
    ...(request.body !== undefined ? { body: strip(request.body) } : {}),
  };
}

export interface SqlmapTarget {
  /** e.g. GET /v1/spaces/{spaceId}/messages */
  readonly label: string;
  /** The family of endpoints it belongs to (bounded mode scans one of each). */
  readonly category: string;
  readonly points: readonly Point[];
  /** The request, with sqlmap's `*` after each point to inject at. */
  readonly request: MarkedRequest;
  /** More sqlmap arguments (e.g. -p to limit it to some headers). */
  readonly extraArgs?: readonly string[];
  /** Consumes what it names (runs after the others). */
  readonly destructive: boolean;
  /** Wrong guesses here count as failed logins: 429s from the login throttle are expected. */
  readonly checksSecret: boolean;
}

/** The endpoint family: the path's fixed segments after /v1, at most two (spaces/messages, users/me, …). */
export function categoryOf(template: string): string {
  return template.split('/').filter((s) => s && s !== 'v1' && !s.startsWith('{')).slice(0, 2).join('/') || '/';
}

/** The string leaves of a JSON value, as dotted paths. */
function stringLeaves(value: unknown, schema: JsonSchema | undefined, prefix = ''): Point[] {
  if (typeof value === 'string') return [{ place: 'body', name: prefix, schema: schema ?? {} }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, schema?.items, `${prefix}.${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, schema?.properties?.[k], prefix ? `${prefix}.${k}` : k));
  }
  return [];
}

function bodyExample(route: Route): Record<string, unknown> | undefined {
  return route.body ? (exampleOf(route.body, '', { optional: true }) as Record<string, unknown>) : undefined;
}

/** Every injection point of a route: path and query parameters, strings of its example body. */
export function injectionPoints(route: Route): Point[] {
  return [
    ...route.pathParams.map((p) => ({ place: 'path' as const, ...p })),
    ...route.queryParams.map((p) => ({ place: 'query' as const, ...p })),
    ...stringLeaves(bodyExample(route), route.body),
  ];
}

/** A copy of `value` with `*` after each string whose dotted path is in `marked`. */
function markStrings(value: unknown, marked: ReadonlySet<string>, prefix = ''): unknown {
  if (typeof value === 'string') return marked.has(prefix) ? `${value}*` : value;
  if (Array.isArray(value)) return value.map((v, i) => markStrings(v, marked, `${prefix}.${i}`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markStrings(v, marked, prefix ? `${prefix}.${k}` : k)]));
  }
  return value;
}

/** The sqlmap target for `route` with `points` marked (all of them unless a subset is given). */
export function routeTarget(route: Route, seeded: SeededIds, points = injectionPoints(route)): SqlmapTarget {
  const marked = new Set(points.map((p) => `${p.place}:${p.name}`));
  const mark = (place: string, name: string) => (marked.has(`${place}:${name}`) ? '*' : '');
  const path = route.template.replace(/\{(\w+)\}/g, (_, name: string) => `${encodeURIComponent(pathValue(route, name, seeded))}${mark('path', name)}`);
  const query = route.queryParams.map((p) => `${p.name}=${encodeURIComponent(String(exampleOf(p.schema, p.name)))}${mark('query', p.name)}`).join('&');
  const body = bodyExample(route);
  const bodyMarks = new Set(points.filter((p) => p.place === 'body').map((p) => p.name));
  const credential = credentialFor(route, seeded);
  return {
    label: `${route.method} ${route.template}`,
    category: categoryOf(route.template),
    points,
    request: {
      method: route.method,
      path: `${path}${query ? `?${query}` : ''}`,
      headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(credential ? { Authorization: credential } : {}) },
      ...(body ? { body: JSON.stringify(markStrings(body, bodyMarks)) } : {}),
    },
    destructive: isDestructive(route),
    checksSecret: checksSecret(route),
  };
}

/** The credentials as input: the token or cookie value itself, looked up in the database by id. */
function credentialTargets(seeded: SeededIds): SqlmapTarget[] {
  const header = (label: string, path: string, name: string, value: string): SqlmapTarget => ({
    label, category: 'credentials', destructive: false, checksSecret: false,
    points: [{ place: 'header', name, schema: {} }],
    request: { method: 'GET', path, headers: { [name]: `${value}*` } },
  });
  return [
    header('Authorization: Bearer <token>', '/v1/users/me', 'Authorization', `Bearer ${seeded.tokens.frank}`),
    header('Authorization: Capability <token>', `/v1/spaces/${seeded.params.spaceId}/messages`, 'Authorization', `Capability ${seeded.capabilityToken}`),
    header('Cookie: __Host-gh_session', '/v1/users/me', 'Cookie', seeded.session.cookie),
  ];
}

/** User-Agent and Referer (recorded in the audit log): level 3 tests them, `-p` limits the run to them. */
function headerTarget(seeded: SeededIds): SqlmapTarget {
  return {
    label: 'User-Agent, Referer (audited)',
    category: 'headers',
    destructive: false,
    checksSecret: false,
    points: [{ place: 'header', name: 'User-Agent', schema: {} }, { place: 'header', name: 'Referer', schema: {} }],
    request: { method: 'GET', path: '/v1/spaces', headers: { Authorization: `Bearer ${seeded.tokens.frank}` } },
    extraArgs: ['-p', 'user-agent,referer'],
  };
}

/**
 * How likely a point reaches a query as is (bounded mode's pick): the body where there is one
 * (sqlmap tests every unmarked JSON field and the headers too when only the URL is marked),
 * else path ids; free text before enums and patterns.
 */
function pointPriority(route: Route, point: Point): number {
  const s = point.schema;
  const freeText = s.type === 'string' && !s.enum && !s.anyOf && !s.pattern && !s.format;
  return (point.place === (route.body ? 'body' : 'path') ? 4 : 0) + (freeText ? 2 : 1);
}

/** Bounded mode: per category one route (one that checks no password, then not destructive, if it has one) and its most promising point. */
function onePerCategory(targets: readonly { route: Route; target: SqlmapTarget }[], seeded: SeededIds): SqlmapTarget[] {
  const picked = new Map<string, { route: Route; point: Point; score: number }>();
  for (const { route, target } of targets) {
    for (const point of target.points) {
      // Cheap first: a route that checks a password hashes on every request (a minute of scan).
      const score = pointPriority(route, point) + (target.checksSecret ? 0 : 8) + (target.destructive ? 0 : 4);
      const best = picked.get(target.category);
      if (!best || score > best.score) picked.set(target.category, { route, point, score });
    }
  }
  return [...picked.values()].map(({ route, point }) => routeTarget(route, seeded, [point]));
}

/**
 * The targets of a mode, in a safe order: destructive ones last, the space they live in at
 * the very end. Bounded: one route per category and the bearer token, whose scan also covers
 * User-Agent and Referer (level 3 adds them when only a header is marked).
 */
export function sqlmapTargets(routes: readonly Route[], seeded: SeededIds, mode: 'full' | 'bounded'): SqlmapTarget[] {
  const perRoute = routes.filter(takesInput).map((route) => ({ route, target: routeTarget(route, seeded) }));
  const targets = mode === 'full'
    ? [...perRoute.map((r) => r.target), ...credentialTargets(seeded), headerTarget(seeded)]
    : [...onePerCategory(perRoute, seeded), credentialTargets(seeded)[0]!];
  const rank = (t: SqlmapTarget) => (!t.destructive ? 0 : t.label === 'DELETE /v1/spaces/{spaceId}' ? 2 : 1);
  return targets.sort((a, b) => rank(a) - rank(b));
}
