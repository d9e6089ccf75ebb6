import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { RouteCost } from '../ratelimit/layers.ts';

/** What the fast path needs to know of the route a request would take. */
export interface RouteFacts {
  /** The route's pattern, as metrics and the audit log name it; '(unmatched)' for a 404. */
  readonly url: string;
  readonly rateCost: RouteCost | undefined;
}

const UNMATCHED: RouteFacts = Object.freeze({ url: '(unmatched)', rateCost: undefined });
const NO_QUERY = Object.freeze({});

/**
 * The routes' table as Fastify's own router sees it, for the fast path, which answers before
 * Fastify routes: the route's pattern (metrics label, audit record) and its rate cost (the wait
 * a 429 states depends on it) decide the answer. It is the same router (find-my-way, Fastify's
 * dependency) with the same options, fed every route Fastify registers (onRoute), HEAD routes
 * included as Fastify exposes them. A URL Fastify would refuse before any hook (malformed,
 * a parameter over maxParamLength) gives undefined: the fast path leaves it to Fastify.
 */
export class RouteTable {
  private readonly router;
  /** False once a route uses constraints (host, version): those are matched per request, so the table cannot tell. */
  private exact = true;

  constructor(app: FastifyInstance) {
    const config = app.initialConfig as typeof app.initialConfig & { exposeHeadRoutes?: boolean };
    this.router = FindMyWay({
      ...(config.routerOptions ?? {}),
      caseSensitive: config.caseSensitive ?? true,
      querystringParser: () => NO_QUERY,
      onBadUrl: () => undefined,
      onMaxParamLength: () => undefined,
    } as FindMyWay.Config<FindMyWay.HTTPVersion.V1>);
    const exposeHead = config.exposeHeadRoutes ?? true;
    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.constraints && Object.keys(route.constraints).length > 0) this.exact = false;
      const facts: RouteFacts = { url: route.url, rateCost: route.config?.rateCost };
      const methods = [route.method].flat() as HTTPMethod[];
      for (const method of methods) this.add(method, route.url, facts);
      if (exposeHead && methods.includes('GET') && route.exposeHeadRoute !== false) this.add('HEAD', route.url, facts);
    });
  }

  /** The route `method url` takes; undefined when only Fastify can answer (framework errors, constraints). */
  lookup(method: string, url: string): RouteFacts | undefined {
    if (!this.exact) return undefined;
    const found = this.router.find(method as HTTPMethod, url);
    if (found === null) return UNMATCHED;
    // A malformed URL or an over-long parameter: find-my-way hands those to onBadUrl / onMaxParamLength, storeless.
    const facts = found.store as RouteFacts | null | undefined;
    return facts ?? undefined;
  }

  private add(method: HTTPMethod, url: string, facts: RouteFacts): void {
    try {
      this.router.on(method, url, () => undefined, facts);
    } catch {
      // Registered already (a HEAD route Fastify also reported, as Fastify itself ignores it).
    }
  }
}
