// The routes the attack tools aim at, read from the live server's own OpenAPI document
// (GET /openapi.json, generated from the schemas that validate requests), so a new route is
// attacked without anyone listing it here.
import { basicAuth, passwordFor } from '../../test/helpers/api.ts';
import { sendJson, type Target } from './client.ts';
import type { SeededIds } from './seed.ts';

/** The subset of JSON Schema the server's route schemas use. */
export interface JsonSchema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: unknown;
}

export interface Parameter {
  readonly name: string;
  readonly schema: JsonSchema;
}

/** Who may call a route, as its OpenAPI security requirement says. */
export interface RouteAccess {
  readonly public: boolean;
  readonly bearerScopes: readonly string[] | undefined;
  readonly basic: boolean;
  readonly capability: boolean;
}

export interface Route {
  readonly method: string;
  /** OpenAPI template, e.g. /v1/spaces/{spaceId}/messages */
  readonly template: string;
  readonly pathParams: readonly Parameter[];
  readonly queryParams: readonly Parameter[];
  readonly body: JsonSchema | undefined;
  readonly access: RouteAccess;
}

interface Operation {
  parameters?: Array<{ in: string; name: string; schema: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: Array<Record<string, string[]>>;
}

/** Every operation of the live server's OpenAPI document. */
export async function readRoutes(target: Target): Promise<Route[]> {
  const res = await sendJson(target, 'GET', '/openapi.json');
  if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
  const doc = res.json as { paths: Record<string, Record<string, Operation>> };
  const routes: Route[] = [];
  for (const [template, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const params = op.parameters ?? [];
      const security = op.security ?? [];
      const bearer = security.find((s) => s.bearerAuth)?.bearerAuth;
      routes.push({
        method: method.toUpperCase(),
        template,
        pathParams: params.filter((p) => p.in === 'path').map(({ name, schema }) => ({ name, schema })),
        queryParams: params.filter((p) => p.in === 'query').map(({ name, schema }) => ({ name, schema })),
        body: op.requestBody?.content?.['application/json']?.schema,
        access: {
          public: security.length === 0,
          bearerScopes: bearer,
          basic: security.some((s) => s.basicAuth),
          capability: security.some((s) => s.capability),
        },
      });
    }
  }
  return routes;
}

/** A route takes input when it has path or query parameters or a JSON body. */
export function takesInput(route: Route): boolean {
  return route.pathParams.length > 0 || route.queryParams.length > 0 || route.body !== undefined;
}

/** Methods whose first (unmodified) request already consumes the resource it names. */
export function isDestructive(route: Route): boolean {
  return route.method === 'DELETE' || route.method === 'PATCH' || route.template === '/v1/users/me/password';
}

/** Routes whose wrong inputs count as failed logins (a password or a one-time code is checked). */
export function checksSecret(route: Route): boolean {
  const fields = Object.keys(route.body?.properties ?? {});
  return route.access.basic || fields.some((f) => ['password', 'currentPassword', 'code', 'otp'].includes(f));
}

/**
 * The credential a scanner uses on a route: the seeded user whose token has the scopes it
 * needs, bob's password where only HTTP Basic is accepted (POST /v1/tokens), none on public
 * routes. Routes that check a secret use users of their own, as their wrong guesses lock the
 * account's password logins for a while.
 */
export function credentialFor(route: Route, seeded: SeededIds): string | undefined {
  const { access, template } = route;
  if (access.public) return undefined;
  if (access.bearerScopes === undefined) return access.basic ? basicAuth('bob', passwordFor('bob')) : undefined;
  if (access.bearerScopes.includes('admin') || access.bearerScopes.includes('metrics')) return `Bearer ${template.startsWith('/v1/audit') ? seeded.tokens.auditor : seeded.tokens.root}`;
  if (template === '/v1/users/me/password') return `Bearer ${seeded.tokens.dave}`;
  if (template.startsWith('/v1/users/me/mfa')) return `Bearer ${seeded.tokens.erin}`;
  if (template.startsWith('/v1/spaces/') && !isDestructive(route)) {
    // Shared out among the space's owner and moderators, each with a plan of its own, by route
    // (destructive routes stay with the owner: deleting the space needs her).
    const owners = [seeded.tokens.alice, seeded.tokens.grace, seeded.tokens.henry];
    const index = [...`${route.method}${template}`].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 9973, 7) % owners.length;
    return `Bearer ${owners[index]}`;
  }
  return `Bearer ${seeded.tokens.alice}`;
}

/** The seeded value of a path parameter (throwaway ones for destructive routes). */
export function pathValue(route: Route, name: string, seeded: SeededIds): string {
  const values = isDestructive(route) ? seeded.forDelete : seeded.params;
  const value = values[name] ?? seeded.params[name];
  if (value === undefined) throw new Error(`no seeded value for {${name}} in ${route.method} ${route.template}`);
  return value;
}

/**
 * A valid example of a schema (the first enum value, a string of the right shape, …). With
 * `optional`, optional properties that are strings or arrays are filled in too (so a scanner
 * reaches them), but not optional objects (a passkey assertion would change the request's meaning).
 */
export function exampleOf(schema: JsonSchema, name = '', options: { optional?: boolean } = {}): unknown {
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return exampleOf(schema.anyOf[0]!, name, options);
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        const wanted = schema.required?.includes(key) || (options.optional && (property.type === 'string' || property.type === 'array'));
        if (wanted) out[key] = exampleOf(property, key, options);
      }
      return out;
    }
    case 'array': return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => exampleOf(schema.items ?? {}, name, options));
    case 'integer':
    case 'number': return Math.max(schema.minimum ?? 1, Math.min(schema.maximum ?? 3600, 3600));
    case 'boolean': return true;
    case 'string': return exampleString(schema, name);
    default: return name || 'value';
  }
}

const EXAMPLE_STRINGS: Readonly<Record<string, string>> = {
  password: 'Pw-scanner-tulip-orbit-canyon',
  currentPassword: 'Pw-scanner-tulip-orbit-canyon',
  newPassword: 'Pw-scanner-new-tulip-orbit',
  code: '123456',
  otp: '123456',
};

function exampleString(schema: JsonSchema, name: string): string {
  if (schema.format === 'date-time') return '2026-01-01T00:00:00.000Z';
  if (schema.pattern) return 'scanuser';
  return EXAMPLE_STRINGS[name] ?? `${name || 'value'}1`.padEnd(schema.minLength ?? 1, 'x');
}
