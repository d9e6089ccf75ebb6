import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config/schema.ts';
import { GatehouseError } from '../../errors/GatehouseError.ts';
import type { LimitDecision, LimitPolicy } from './gcra.ts';
import { capped, rateLayers, type RouteCost } from './layers.ts';
import type { LimitCharge, RateLimitStore } from './RateLimitStore.ts';
import { RefusalCache, type AnonymousLayer, type CachedRefusal } from './RefusalCache.ts';
import { ThrottleQueue } from './ThrottleQueue.ts';

export type { RouteCost } from './layers.ts';

export interface RateLimitDeps {
  readonly store: RateLimitStore;
  readonly clock: Clock;
  readonly limits: Config['rateLimit'];
  readonly layers: Config['rateLayers'];
  /** Waits for the throttling queue (default: a real timer; tests pass their own). */
  readonly sleep?: (ms: number) => Promise<void>;
}

const LAYER_NAMES = ['address', 'range', 'global'] as const;

/** The audit reason of a refusal by each anonymous layer (the fast path states the same). */
export const ANONYMOUS_LAYER_REASONS = LAYER_NAMES.map((name) => `rate limit: ${name} limit exceeded`);

/**
 * Stage 2, rate limiting. `beforeAuthentication` runs before the body is read and before
 * any credential is checked: per client address, per address range, then for the whole
 * server. `perPrincipal` runs right after authentication: per user (rate and plan quotas)
 * or per capability. A route's declared `rateCost` is charged on every layer.
 *
 * The two steps are two charges, so when `perPrincipal` refuses, the anonymous layers'
 * charge for the same request is refunded (RateLimitStore.refund): a refused request
 * consumes no quota on any layer, and a user over their own quota does not drain the
 * address, range and global budgets that others behind the same address share. Except after
 * a password check (HTTP Basic): the server has already spent a password hash on that
 * request, and the address layer is what bounds how many hashes one client can make it
 * spend, so a user over their plan who keeps sending their password keeps paying there.
 *
 * Throttling (MISSION §2, "queue briefly, then reject"): when `queueMaxWaitMs` > 0, a request
 * that would be allowed within that wait is held (a bounded number at once) and tried again
 * once; otherwise, or if it is still refused, 429.
 *
 * The anonymous layers' refusals are remembered (RefusalCache), so that the pre-routing fast
 * path (pipeline/fastpath) can repeat them without asking the store: `cachedRefusal`.
 */
export function rateLimitStage(deps: RateLimitDeps) {
  const layers = rateLayers(deps.limits, deps.layers);
  const queue = new ThrottleQueue(deps.layers.queueMaxLength, deps.layers.queueMaxWaitMs, deps.sleep);

  /** The anonymous layers' charge of each request still in flight, refunded if a later layer refuses it. */
  const admitted = new WeakMap<FastifyRequest, readonly LimitCharge[]>();
  const refusals = new RefusalCache(deps.limits.maxTrackedKeys);

  async function charge(
    charges: LimitCharge[],
    names: (i: number) => string,
    beforeRefusing?: () => Promise<void>,
    onRefused?: (layer: number, decision: LimitDecision, nowMs: number) => void,
  ): Promise<void> {
    if (charges.length === 0) return;
    let now = deps.clock();
    let result = await deps.store.consumeAll(charges, now);
    if (!result.allowed && (await queue.wait(result.decision.retryAfterMs))) {
      now = deps.clock();
      result = await deps.store.consumeAll(charges, now);
    }
    if (result.allowed) return;
    onRefused?.(result.layer, result.decision, now);
    await beforeRefusing?.();
    const limit = charges[result.layer]!.policy;
    throw rateLimited(result.decision, limit, `rate limit: ${names(result.layer)} limit exceeded`);
  }

  return {
    async beforeAuthentication(request: FastifyRequest): Promise<void> {
      const cost = layers.cost(request.routeOptions.config?.rateCost);
      const charges = layers.anonymous(request.clientAddress, cost);
      await charge(charges, (i) => LAYER_NAMES[i] ?? 'anonymous', undefined, (layer, decision, now) => {
        refusals.noteRefusal(request.clientAddress, layer as AnonymousLayer, charges[layer]!, cost, decision, now);
      });
      admitted.set(request, charges);
    },
    async perPrincipal(request: FastifyRequest): Promise<void> {
      const charges = layers.principal(request.principal, layers.cost(request.routeOptions.config?.rateCost));
      const refundAnonymous = async () => {
        const earlier = admitted.get(request);
        admitted.delete(request);
        if (!earlier || request.principal.authMethod === 'basic') return;
        // Before and after: a refusal noted while the refund is on its way saw the old TAT.
        for (const c of earlier) refusals.forget(c.key);
        await deps.store.refund(earlier, deps.clock());
        for (const c of earlier) refusals.forget(c.key);
      };
      await charge(charges, (i) => (request.principal.kind === 'capability' ? 'capability' : (['principal', 'plan minute', 'plan day'][i] ?? 'principal')), refundAnonymous);
    },
    /** For the fast path: whether the refusal cache holds anything for this address. */
    mayRefuse(clientAddress: string): boolean {
      return refusals.holds(clientAddress);
    },
    /**
     * For the fast path: the 429 that `beforeAuthentication` would give a request of this route
     * cost from this address now, when the cache is certain of it; undefined when only the store
     * can tell, or when the request would be held in the throttling queue instead.
     */
    cachedRefusal(clientAddress: string, routeCost: RouteCost | undefined, nowMs: number): CachedRefusal | undefined {
      const refusal = refusals.refusal(clientAddress, layers.cost(routeCost), nowMs, capped);
      if (refusal === undefined || queue.wouldHold(refusal.decision.retryAfterMs)) return undefined;
      return refusal;
    },
  };
}

/** A 429 carrying Retry-After and the RateLimit-Policy / RateLimit headers (IETF draft). */
export function rateLimited(decision: LimitDecision, limit: LimitPolicy, auditReason: string): GatehouseError {
  const retryAfterSeconds = retryAfterSecondsOf(decision);
  return new GatehouseError('rate_limited', {
    detail: rateLimitedDetail(retryAfterSeconds),
    auditReason,
    headers: {
      'retry-after': String(retryAfterSeconds),
      'ratelimit-policy': rateLimitPolicyHeader(limit),
      ratelimit: rateLimitHeader(decision, limit),
    },
  });
}

/** Retry-After of a refusal, in whole seconds (at least 1). */
export function retryAfterSecondsOf(decision: LimitDecision): number {
  return Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
}

/** The problem's `detail` for a refusal. */
export function rateLimitedDetail(retryAfterSeconds: number): string {
  return `Too many requests; retry after ${retryAfterSeconds} s`;
}

/** RateLimit-Policy: the policy's name, burst and window (constant per policy). */
export function rateLimitPolicyHeader(limit: LimitPolicy): string {
  return `"${limit.name}";q=${limit.burst};w=${Math.max(1, Math.ceil(limit.burst / limit.ratePerSecond))}`;
}

/** RateLimit: what is left now and when the whole burst is back. */
export function rateLimitHeader(decision: LimitDecision, limit: LimitPolicy): string {
  return `"${limit.name}";r=${decision.remaining};t=${Math.max(1, Math.ceil(decision.resetMs / 1000))}`;
}


/**
 * 429 for the failed-login throttle (exponential back-off): after the wait, one more attempt.
 * The same headers as every other 429 (API.md): Retry-After, RateLimit-Policy and RateLimit.
 */
export function loginThrottled(auditReason: string, retryAfterSeconds: number): GatehouseError {
  const wait = Math.max(1, Math.ceil(retryAfterSeconds));
  return new GatehouseError('rate_limited', {
    detail: `Too many failed logins; retry after ${wait} s`,
    auditReason,
    headers: {
      'retry-after': String(wait),
      'ratelimit-policy': `"login";q=1;w=${wait}`,
      ratelimit: `"login";r=0;t=${wait}`,
    },
  });
}
