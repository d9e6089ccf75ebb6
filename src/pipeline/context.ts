import type { Principal } from './authn/principal.ts';
import type { RoutePolicy } from './authz/policy.ts';
import type { RouteCost } from './ratelimit/layers.ts';

/** What each stage puts on the request for the stages after it. */
declare module 'fastify' {
  interface FastifyRequest {
    /** transport: the client's address (the socket's, or X-Forwarded-For from a trusted proxy). */
    clientAddress: string;
    /** authn: who is calling (anonymous until proven otherwise). */
    principal: Principal;
    /** authz: what the resource rules learned (e.g. the caller's role in the space). */
    access: Readonly<Record<string, unknown>>;
    /** audit: whether the attempt record was written, and the precise reason for a rejection. */
    auditState: { attemptRecorded: boolean; reason: string; stage: string };
  }
  interface FastifyContextConfig {
    /** Every route declares its access policy (see pipeline/authz). */
    policy?: RoutePolicy;
    /** The cost class of one request on every rate-limit layer (default 'normal': 1; see RouteCost). */
    rateCost?: RouteCost;
  }
}

export {};
