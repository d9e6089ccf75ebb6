import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditLog } from '../audit/AuditLog.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/schema.ts';
import { GatehouseError } from '../errors/GatehouseError.ts';
import { auditStage } from './audit/index.ts';
import type { CapabilityVerifier } from './authn/CapabilityVerifier.ts';
import type { CredentialVerifier } from './authn/CredentialVerifier.ts';
import { authenticationStage } from './authn/index.ts';
import { authorizationStage, requirePolicy } from './authz/index.ts';
import { errorHandler } from './hardening/errorHandler.ts';
import { buildSecurityHeaders } from './hardening/securityHeaders.ts';
import { loadSheddingStage } from './hardening/loadShedding.ts';
import { methodsServedAt, NEVER_SERVED_METHODS } from './hardening/methodsServed.ts';
import type { RateLimitStore } from './ratelimit/RateLimitStore.ts';
import { rateLimitStage } from './ratelimit/index.ts';
import { transportStage } from './transport/index.ts';
import { trustedProxies } from './transport/clientAddress.ts';
import { floodGate, installFloodGate } from './fastpath/index.ts';
import { RouteTable } from './fastpath/RouteTable.ts';
import { clientErrorHandler } from './transport/clientErrors.ts';
import { metricsStage } from './metrics/index.ts';
import type { Metrics } from '../operations/metrics.ts';
import type { RoutePolicy } from './authz/policy.ts';
import type { Database } from '../store/database.ts';
import './context.ts';

export interface PipelineDeps {
  readonly config: Readonly<Config>;
  readonly clock: Clock;
  readonly rateLimitStore: RateLimitStore;
  readonly verifier: CredentialVerifier;
  readonly capabilities?: CapabilityVerifier;
  readonly auditLog: AuditLog;
  readonly metrics: Metrics;
  /** When given, a state change and its outcome record are one transaction (stage 4/6). */
  readonly database?: Pick<Database, 'db' | 'unitOfWork'>;
}

/** One registered route and its policy: the live route table (for tests and the threat model). */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly policy: RoutePolicy;
}

/**
 * THE request pipeline. This is the only place the order of the security stages is written
 * (docs/pipeline.md draws it). Every request, including unknown routes, passes:
 *
 *   0 flood gate (a refusal the rate limiter is sure of, answered before routing; else on to 1)
 *   → 1 transport → 1b load shedding, URL length → 2 rate limit (address, range, global) → 3 authenticate → 2b rate limit (principal)
 *   → 4 audit attempt → 5 authorize → [body read, validated] → 5b authorize (body rules)
 *   → 4b audit attempt committed (state changes only) → handler (state changes: in one transaction
 *   that 6 commits with the outcome record) → 6 audit outcome → 6b metrics
 *
 * A stage rejects by throwing a GatehouseError; the one error handler answers problem+json
 * and the outcome record is written for every response.
 */
export function registerPipeline(app: FastifyInstance, deps: PipelineDeps): RouteEntry[] {
  const headers = buildSecurityHeaders({ hstsMaxAgeSeconds: deps.config.hstsMaxAgeSeconds });
  const trusted = trustedProxies(deps.config.trustProxy);
  const identify = transportStage(headers, trusted);
  const countResponse = metricsStage(deps.metrics);
  const rateLimit = rateLimitStage({ store: deps.rateLimitStore, clock: deps.clock, limits: deps.config.rateLimit, layers: deps.config.rateLayers });
  const audit = auditStage({
    auditLog: deps.auditLog,
    clock: deps.clock,
    addressPrefix: { v4: deps.config.auditAddressPrefixV4, v6: deps.config.auditAddressPrefixV6 },
    ...(deps.database ? { transactions: { scope: deps.database.unitOfWork, db: deps.database.db } } : {}),
  });
  const authorize = authorizationStage();
  const shed = loadSheddingStage({
    eventLoopDelayMs: deps.config.resourceLimits.shedEventLoopDelayMs,
    heapUsedRatio: deps.config.resourceLimits.shedHeapUsedRatio,
    maxUrlLength: deps.config.resourceLimits.maxUrlLength,
    maxHeaderBytes: deps.config.resourceLimits.maxHeaderBytes,
  });

  // 0: floods the rate limiter has refused, answered before Fastify routes them (fastpath/index.ts
  // says when, and why that order is safe: it defers to 1b, and to Fastify's own early answers).
  const routeTable = new RouteTable(app);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  installFloodGate(app.server, floodGate({
    routes: routeTable,
    trusted,
    headers,
    clock: deps.clock,
    metrics: deps.metrics,
    admits: shed.admits,
    mayRefuse: rateLimit.mayRefuse,
    cachedRefusal: rateLimit.cachedRefusal,
    countRejectionOnly: audit.countRejectionOnly,
    closing: () => closing,
  }), (err) => app.log.error({ err }, 'flood gate failed; requests go on to the normal path'));

  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    requirePolicy(route); // deny by default: no policy, no start
    audit.inUnitOfWork(route); // a state change and its outcome record: one transaction
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, policy: route.config!.policy! });
  });
  app.addHook('onRequest', identify); // 1
  app.addHook('onReady', async () => shed.start()); // sampling starts when the server is ready, not during start-up
  app.addHook('onRequest', shed.shedLoad); // 1b: load shedding (503), the URL (414) and header (431) bounds, before any other work
  app.addHook('onRequest', rateLimit.beforeAuthentication); // 2
  app.addHook('onRequest', authenticationStage({ verifier: deps.verifier, clock: deps.clock, ...(deps.capabilities ? { capabilities: deps.capabilities } : {}) })); // 3
  app.addHook('onRequest', rateLimit.perPrincipal); // 2b: a refusal here refunds stage 2's charge (rejected requests consume no quota)
  app.addHook('onRequest', audit.recordAttempt); // 4
  app.addHook('onRequest', authorize.beforeBody); // 5
  app.addHook('preHandler', authorize.afterValidation); // 5b
  app.addHook('preHandler', audit.requireAttemptStored); // 4b: a state change waits for its attempt record, or is refused
  app.addHook('onSend', audit.recordOutcomeBeforeSend); // 6 for state changes: committed before the client hears of it
  app.addHook('onResponse', audit.recordOutcome); // 6
  app.addHook('onResponse', countResponse); // 6b
  app.addHook('onClose', async () => {
    shed.stop();
    audit.recordAggregates(); // before buildApp's final audit flush
  });

  app.setErrorHandler(errorHandler);
  const servedAt = methodsServedAt(routes);
  app.setNotFoundHandler((request) => {
    if (NEVER_SERVED_METHODS.has(request.method)) {
      throw new GatehouseError('method_not_allowed', {
        detail: `${request.method} is not served`,
        auditReason: `${request.method} refused (cross-site tracing)`,
        headers: { allow: servedAt(request.url).join(', ') },
      });
    }
    throw new GatehouseError('not_found', { detail: 'No such resource', auditReason: 'no route matches' });
  });
  // Requests Node's parser refuses before Fastify (see answerClientError): answered and audited.
  const answerNodeClientError = clientErrorHandler(headers, (rejection) => {
    audit.recordClientError(rejection);
    deps.metrics.rejections.inc({ stage: 'transport', code: rejection.reason.slice(0, rejection.reason.indexOf(':')) });
  });
  clientErrorHandlers.set(app, answerNodeClientError);
  // Requests Fastify refuses before any hook (see answerFrameworkError): the stages that apply.
  frameworkErrorHandlers.set(app, (error, request, reply) => {
    identify(request, reply, noop); // 1
    rateLimit.beforeAuthentication(request) // 2
      .then(() => error, (limited: unknown) => limited as Error)
      .then((problem) => {
        errorHandler(problem, request, reply);
        audit.recordOutcome(request, reply, noop); // 6
        countResponse(request, reply, noop); // 6b
      })
      .catch((err: unknown) => request.log.error({ err }, 'answering a framework error failed'));
  });
  return routes;
}

type FrameworkErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;
const clientErrorHandlers = new WeakMap<FastifyInstance, ReturnType<typeof clientErrorHandler>>();

/**
 * For Fastify's `clientErrorHandler` option (called with the instance as `this`): a slow,
 * oversized or unparsable request that Node refuses before Fastify gets the pipeline's answer
 * (security headers, problem+json) and an audit record, instead of Node's bare reply.
 */
export function answerClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  const handle = clientErrorHandlers.get(this);
  if (handle) handle(error, socket);
  else socket.destroy(); // before the pipeline exists nothing is served, so nothing is answered
}
const frameworkErrorHandlers = new WeakMap<FastifyInstance, FrameworkErrorHandler>();
const noop = () => {};

/**
 * For Fastify's `frameworkErrors` option. Fastify answers a malformed URL (`/%zz`) or an
 * over-long path parameter before any hook runs; without this, such a response had no
 * security headers, no problem+json body and no audit record.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const handle = frameworkErrorHandlers.get(request.server);
  if (handle) handle(error, request, reply);
  else errorHandler(error, request, reply);
}
