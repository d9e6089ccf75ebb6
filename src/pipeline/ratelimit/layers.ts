import type { Config } from '../../config/schema.ts';
import type { Principal } from '../authn/principal.ts';
import { principalName } from '../authn/principal.ts';
import { rangeOf } from './addressRange.ts';
import type { LimitPolicy } from './gcra.ts';
import type { LimitCharge } from './RateLimitStore.ts';

/**
 * Cost classes a route declares next to its policy (`config: { policy, rateCost: 'passwordHash' }`).
 * `normal` costs 1; `passwordHash` (login, token with Basic, registration: an argon2 hash,
 * ~7 ms of CPU) costs GATEHOUSE_RATE_PASSWORD_ROUTE_COST cells on every layer.
 */
export type RouteCost = 'normal' | 'passwordHash';

/** Sustained rate r with bursts of twice that (API.md). */
export function perSecond(name: string, ratePerSecond: number): LimitPolicy {
  return { name, ratePerSecond, burst: Math.max(1, Math.ceil(ratePerSecond * 2)) };
}

/** A quota of `count` per `windowSeconds`: up to all of it at once, refilled evenly. */
export function quota(name: string, count: number, windowSeconds: number): LimitPolicy {
  return { name, ratePerSecond: count / windowSeconds, burst: count };
}

/**
 * The layers, as pure functions from the request's facts to the charges to make. Keys are
 * prefixed per layer so that layers never share a bucket.
 */
export function rateLayers(rateLimit: Config['rateLimit'], layers: Config['rateLayers']) {
  const address = perSecond('address', rateLimit.addressPerSecond);
  const range = perSecond('range', layers.rangePerSecond);
  const global = perSecond('global', rateLimit.globalPerSecond);
  const user = perSecond('user', rateLimit.userPerSecond);
  const capability = perSecond('capability', layers.capabilityPerSecond);
  const plans = new Map(Object.entries(layers.plans).map(([name, p]) => [name, {
    minute: quota(`${name}-minute`, p.perMinute, 60),
    day: quota(`${name}-day`, p.perDay, 86_400),
  }] as const));
  const prefix = { v4: layers.rangePrefixV4, v6: layers.rangePrefixV6 };

  return {
    /**
     * Before authentication: address first, then its range, then the whole server. Charged
     * all or nothing, so a refused flood does not drain the budget others share.
     */
    /** The cells a request of this cost class takes. */
    cost(routeCost: RouteCost | undefined): number {
      return routeCost === 'passwordHash' ? layers.passwordRouteCost : 1;
    },
    anonymous(clientAddress: string, cost: number): LimitCharge[] {
      return [
        { key: `a:${clientAddress}`, policy: address, cost: capped(cost, address) },
        { key: `r:${rangeOf(clientAddress, prefix)}`, policy: range, cost: capped(cost, range) },
        { key: 'g', policy: global, cost: capped(cost, global) },
      ];
    },
    /** After authentication: a user's rate and plan quotas, or a capability's rate. */
    principal(principal: Principal, cost: number): LimitCharge[] {
      if (principal.kind === 'anonymous') return [];
      const name = principalName(principal);
      if (principal.kind === 'capability') return [{ key: `c:${name}`, policy: capability, cost: capped(cost, capability) }];
      const planName = Object.hasOwn(layers.userPlans, name) ? layers.userPlans[name]! : layers.defaultPlan;
      const plan = plans.get(planName) ?? plans.get(layers.defaultPlan)!;
      return [
        { key: `p:${name}`, policy: user, cost: capped(cost, user) },
        { key: `pm:${name}`, policy: plan.minute, cost: capped(cost, plan.minute) },
        { key: `pd:${name}`, policy: plan.day, cost: capped(cost, plan.day) },
      ];
    },
  };
}

/** A cost above a layer's burst could never be paid: such a request takes the whole burst instead. */
export function capped(cost: number, policy: LimitPolicy): number {
  return Math.max(1, Math.min(cost, policy.burst));
}
