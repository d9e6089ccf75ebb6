import type { SwaggerOptions } from '@fastify/swagger';
import { describePolicy, requiredScopes, type RoutePolicy } from '../pipeline/authz/policy.ts';

const SCHEME_OF = { bearer: 'bearerAuth', session: 'sessionCookie', basic: 'basicAuth', capability: 'capability' } as const;

/**
 * The OpenAPI document, generated from the same schemas that validate requests. Each
 * operation's security requirement and `x-gatehouse-policy` come from its route policy, so
 * the document cannot disagree with what the server enforces.
 */
export function openApiOptions(): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse',
        version: '1',
        description: 'A secure-by-default HTTPS API: every request passes TLS, rate limiting, authentication, audit and access control.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'API token from POST /v1/tokens' },
          basicAuth: { type: 'http', scheme: 'basic', description: 'Only on POST /v1/tokens' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: '__Host-gh_session', description: 'Browser session; state changes also need X-CSRF-Token' },
          capability: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Authorization: Capability <token>' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: ({ schema, url, route }) => {
      const policy = (route.config as { policy?: RoutePolicy } | undefined)?.policy;
      if (!policy) return { schema, url };
      const method = Array.isArray(route.method) ? route.method[0]! : route.method;
      const scopes = requiredScopes(method, policy);
      const security = policy.audience === 'public'
        ? []
        : policy.anyOfScopes
          ? [...policy.anyOfScopes.map((s) => ({ bearerAuth: [s] })), ...policy.credentials.filter((c) => c !== 'bearer').map((c) => ({ [SCHEME_OF[c]]: [] }))]
          : policy.credentials.map((c) => ({ [SCHEME_OF[c]]: c === 'bearer' ? scopes : [] }));
      return {
        schema: { ...schema, security, 'x-gatehouse-policy': describePolicy(policy) } as typeof schema,
        url,
      };
    },
  };
}
