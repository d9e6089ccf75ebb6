import { newRequestId } from '../transport/requestId.ts';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Clock } from '../../clock.ts';
import type { Metrics } from '../../operations/metrics.ts';
import type { FastRejection } from '../audit/index.ts';
import type { SecurityHeaders } from '../hardening/securityHeaders.ts';
import { rejectingStage } from '../metrics/index.ts';
import type { LimitPolicy } from '../ratelimit/gcra.ts';
import { ANONYMOUS_LAYER_REASONS, type RouteCost } from '../ratelimit/index.ts';
import type { CachedRefusal } from '../ratelimit/RefusalCache.ts';
import { clientAddressOf, type TrustedProxies } from '../transport/clientAddress.ts';
import { RefusalResponse } from './refusalResponse.ts';
import type { RouteTable } from './RouteTable.ts';

export interface FastPathDeps {
  readonly routes: RouteTable;
  readonly trusted: TrustedProxies | undefined;
  readonly headers: SecurityHeaders;
  readonly clock: Clock;
  readonly metrics: Metrics;
  /** Stage 1b's verdict: whether load shedding and the URL and header bounds let the request through. */
  readonly admits: (raw: IncomingMessage) => boolean;
  /** Stage 2: whether the refusal cache holds anything for this address (cheap; most requests stop here). */
  readonly mayRefuse: (clientAddress: string) => boolean;
  /** Stage 2: the refusal the store would give now, when the cache is certain of it. */
  readonly cachedRefusal: (clientAddress: string, routeCost: RouteCost | undefined, nowMs: number) => CachedRefusal | undefined;
  /** Stage 6: counts the rejection into its window's summary, if that window has its full records already. */
  readonly countRejectionOnly: (rejection: FastRejection, nowMs: number) => boolean;
  /** True once the server is closing (Fastify then answers 503 itself). */
  readonly closing: () => boolean;
}

/** The audit reason of each anonymous layer's refusal, as errorHandler.ts writes it (`code: reason`). */
const REASONS = ANONYMOUS_LAYER_REASONS.map((reason) => `rate_limited: ${reason}`);
// metrics.ts's FloodGateCounts reports the gate's 429s under this stage.
if (rejectingStage(REASONS[0]!) !== 'rate limit') throw new Error('flood gate: the rate-limit stage\'s metric label changed');

/**
 * Stage 0, the flood gate: a request the rate limiter has just refused, from an address still
 * refused, answered 429 before Fastify routes it (PERF-NOTES.md: a Fastify 429 costs more than
 * a served request; this one costs little more than the cheapest possible 429). It answers only
 * when the outcome is certain to be what the normal path would give, and leaves everything
 * else to it, unchanged:
 *
 * - the same address (clientAddressOf, trusted proxies included), route cost and clock as
 *   stage 2; the refusal from RefusalCache, exact while it lasts (never refuses what the store
 *   would allow); not while the throttling queue would hold the request instead;
 * - stage 1b first: while the server sheds load, or for a URL or header block over its bound,
 *   the normal path answers (503/414/431), as it would before rate limiting; Fastify's own
 *   answers before any hook (closing: 503; a malformed URL) are left to Fastify;
 * - audited: only a rejection its aggregation window would merely count (the window holds its
 *   full records already) is answered here, and it is counted into that window, so the summary
 *   record states every one; the rest take the normal path and are recorded in full;
 * - the same response, byte for byte but for the request id (RefusalResponse), through Node's
 *   ServerResponse as Fastify writes it (Date, keep-alive; an unread body is drained by Node
 *   once the response is sent, as after any early Fastify reply), and the same metrics;
 * - HTTP/1.x only: HTTP/2 requests (GATEHOUSE_HTTP2) take the normal path.
 *
 * Returns whether the request was answered.
 */
export function floodGate(deps: FastPathDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const responses = new Map<LimitPolicy, RefusalResponse>();
  const responseFor = (policy: LimitPolicy): RefusalResponse => {
    let response = responses.get(policy);
    if (response === undefined) responses.set(policy, (response = new RefusalResponse(deps.headers, policy)));
    return response;
  };

  return function refuseBeforeRouting(req, res): boolean {
    const started = performance.now();
    if (req.httpVersionMajor !== 1 || deps.closing() || !deps.admits(req)) return false;
    const clientAddress = clientAddressOf(req, deps.trusted);
    if (!deps.mayRefuse(clientAddress)) return false;
    const method = req.method ?? '';
    const url = req.url ?? '';
    const route = deps.routes.lookup(method, url);
    if (route === undefined) return false;
    const now = deps.clock();
    const refusal = deps.cachedRefusal(clientAddress, route.rateCost, now);
    if (refusal === undefined) return false;
    const requestId = newRequestId(); // as buildApp's genReqId
    const reason = REASONS[refusal.layer]!;
    const rejection: FastRejection = { requestId, clientAddress, userAgent: req.headers['user-agent'] ?? '', method, route: route.url, url, reason };
    if (!deps.countRejectionOnly(rejection, now)) return false;

    const { headers, body } = responseFor(refusal.policy).render(refusal.decision, requestId);
    res.writeHead(429, headers);
    res.end(body);
    deps.metrics.floodGate.count(method, route.url); // requests and rejections, as stage 6b counts them
    deps.metrics.duration.observe({ route: route.url }, (performance.now() - started) / 1000);
    return true;
  };
}

/**
 * Puts `gate` in front of the server's request listeners (Fastify's routing): a request it
 * answers goes no further. The server is Fastify's own (buildApp), HTTPS or HTTP/2.
 * The gate runs outside Fastify's error handling: should it ever throw (a URL its router
 * copy cannot take, say), the request goes on to Fastify instead of the exception taking
 * the process down, and the error is reported once to `onError`.
 */
export function installFloodGate(
  server: Pick<Server, 'listeners' | 'removeAllListeners' | 'on'>,
  gate: (req: IncomingMessage, res: ServerResponse) => boolean,
  onError: (err: unknown) => void = () => undefined,
): void {
  const routing = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  let reported = false;
  server.removeAllListeners('request');
  server.on('request', function gateThenRoute(this: unknown, req: IncomingMessage, res: ServerResponse) {
    try {
      if (gate(req, res)) return;
    } catch (err) {
      if (!reported) onError(err);
      reported = true;
      if (res.headersSent) return;
    }
    for (const listener of routing) listener.call(this, req, res);
  });
}
