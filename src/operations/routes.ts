import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { adminOnly, publicRoute } from '../pipeline/authz/policy.ts';
import type { Metrics } from './metrics.ts';
import { renderDocsPage } from './docsPage.ts';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

/** Liveness, readiness, and the API reference. All public. */
export function registerOperationsRoutes(app: FastifyInstance, deps: { checks: readonly ReadinessCheck[]; metrics: Metrics }): void {
  app.get('/healthz', {
    schema: { tags: ['operations'], summary: 'Liveness', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    config: { policy: publicRoute() },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    schema: {
      tags: ['operations'],
      summary: 'Readiness: database and stores reachable',
      response: {
        200: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
        503: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
      },
    },
    config: { policy: publicRoute() },
  }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    for (const c of deps.checks) {
      try {
        await c.check();
        checks[c.name] = 'ok';
      } catch {
        checks[c.name] = 'failing'; // the reason goes to the server log, not to the public
        app.log.warn({ check: c.name }, 'readiness check failing');
      }
    }
    const ok = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', {
    schema: {
      tags: ['operations'],
      summary: 'Prometheus metrics',
      description: 'Administrators, or a scraper token with only the "metrics" scope (an administrator issues it: POST /v1/tokens {"scopes":["metrics"]}).',
    },
    config: { policy: adminOnly({ anyOfScopes: ['metrics', 'admin'] }) },
  }, async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });

  let cachedSpec: string | undefined;
  const spec = () => (cachedSpec ??= JSON.stringify(app.swagger()));

  app.get('/openapi.json', {
    schema: { tags: ['operations'], summary: 'This OpenAPI document' },
    config: { policy: publicRoute() },
  }, async (_request, reply) => reply.type('application/json; charset=utf-8').send(spec()));

  let cachedDocs: { html: string; csp: string } | undefined;
  app.get('/docs', {
    schema: { tags: ['operations'], summary: 'The API reference as a web page' },
    config: { policy: publicRoute() },
  }, async (_request, reply) => {
    cachedDocs ??= docsWithCsp(JSON.parse(spec()));
    return reply.type('text/html; charset=utf-8').header('content-security-policy', cachedDocs.csp).send(cachedDocs.html);
  });
}

function docsWithCsp(spec: Parameters<typeof renderDocsPage>[0]): { html: string; csp: string } {
  const { html, style } = renderDocsPage(spec);
  // No script at all; the one inline style is allowed by its hash, nothing else.
  const hash = createHash('sha256').update(style).digest('base64');
  return { html, csp: `default-src 'none'; style-src 'sha256-${hash}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'` };
}
