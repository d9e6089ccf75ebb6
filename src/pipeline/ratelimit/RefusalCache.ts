import { decideGcra, intervalMicros, type LimitDecision, type LimitPolicy } from './gcra.ts';
import type { LimitCharge } from './RateLimitStore.ts';

/** Which anonymous layer refused: the index in `rateLayers().anonymous()` (address, range, global). */
export type AnonymousLayer = 0 | 1 | 2;

/** A refusal the cache can repeat: the layer, its policy, and the decision a store would make now. */
export interface CachedRefusal {
  readonly layer: AnonymousLayer;
  readonly policy: LimitPolicy;
  readonly decision: LimitDecision;
}

/** One refusal period of one layer key: from a refusal until a cost-1 request would pass again. */
interface LayerEntry {
  /** The key's TAT as the store's refusals imply it (ms, whole microseconds); never later than the real one. */
  tat: number;
  readonly layer: AnonymousLayer;
  readonly policy: LimitPolicy;
}

interface AddressEntry {
  /** The refusal period that refused this address (its own `a:` key's, its range's, or the global one). */
  readonly period: LayerEntry;
  readonly layerKey: string;
  /** The cost at which the layers before it allowed this address (they can only drain since). */
  readonly allowedCost: number;
}

/**
 * A negative cache of the anonymous layers' refusals (address, range, global), so that a flood
 * can be answered before routing (pipeline/fastpath) without asking the store. Pure: time is
 * passed in. Exact and conservative, from the GCRA's own arithmetic:
 *
 * - A refusal of cost c with wait w at time t means the key's TAT is t + w + C − I·c (C the
 *   layer's capacity, I its interval). A refused request moves no TAT, and while a key refuses
 *   a cost-1 request every request that would charge it is refused (all layers are charged all
 *   or nothing), so its TAT stays exactly that: `decideGcra` on the remembered TAT gives the
 *   store's very decision, Retry-After included, until a cost-1 request would pass. Only that
 *   period is remembered and trusted: a dearer request refused by a key that still admits one
 *   cell says nothing that lasts (the key may be charged by the next cheap request). With a shared store
 *   (Redis, its own clock) t is read before the store decided, so the TAT remembered is never
 *   later than the real one: the cache may refuse less than the store, never more.
 * - The store reports the first refusing layer, so the cache remembers, per client address,
 *   which layer refused it. For the range and global layers, the earlier layers allowed that
 *   address at that cost, and since nothing was charged they still do: the store would refuse
 *   the same address at the same layer again, for any cost up to that one.
 * - A refund moves a TAT back: `forget` drops the key (the rate-limit stage calls it for every key it refunds). The one
 *   window it cannot see is a refund made by ANOTHER instance sharing the store, between that
 *   refund and this key's remembered TAT passing (at most the layer's wait; multi-instance only).
 *
 * Bounded: at most `maxEntries` addresses and layer keys; when full, entries whose refusal has
 * ended are dropped, and if none has, nothing new is remembered (those requests then take the
 * normal path, which the store decides: forgetting only ever costs speed).
 */
export class RefusalCache {
  private readonly layers = new Map<string, LayerEntry>();
  private readonly addresses = new Map<string, AddressEntry>();
  /** No period can have ended before this time (see room). */
  private noSweepBefore = -Infinity;

  constructor(private readonly maxEntries = 100_000) {}

  /**
   * Notes the store's refusal of `clientAddress` at `layer`, whose `charge` (cells capped to the
   * layer) it refused, for a request of `requestCost` cells (the route's, uncapped) decided at
   * `nowMs` (read before the store was asked).
   */
  noteRefusal(clientAddress: string, layer: AnonymousLayer, charge: LimitCharge, requestCost: number, decision: LimitDecision, nowMs: number): void {
    if (decision.allowed) return;
    const { key: layerKey, policy } = charge;
    const cost = charge.cost ?? 1;
    const interval = intervalMicros(policy.ratePerSecond);
    // Whole microseconds, as gcra.ts computes: now + wait + capacity − cost × interval.
    const tat = (Math.round(nowMs * 1000) + Math.round(decision.retryAfterMs * 1000) + policy.burst * interval - cost * interval) / 1000;
    // Only while a cost-1 request is refused is the key certain not to be charged; a dearer
    // request refused by a key that still admits cost 1 tells nothing that lasts.
    if (!refuses({ tat, layer, policy }, nowMs)) return;
    let period = this.layers.get(layerKey);
    if (period !== undefined && refuses(period, nowMs)) {
      // The same refusal period (nothing was charged since): both TATs are no later than the real one.
      period.tat = Math.max(period.tat, tat);
    } else {
      if (!this.room(nowMs)) return;
      period = { tat, layer, policy };
      this.layers.set(layerKey, period);
    }
    if (!this.addresses.has(clientAddress) && !this.room(nowMs)) return;
    this.addresses.set(clientAddress, { period, layerKey, allowedCost: layer === 0 ? Infinity : requestCost });
  }

  /**
   * The refusal the store would give a request of `cost` cells (capped per layer by `capFor`)
   * from `clientAddress` at `nowMs`, if the cache is certain of it; otherwise undefined.
   */
  refusal(clientAddress: string, cost: number, nowMs: number, capFor: (cost: number, policy: LimitPolicy) => number): CachedRefusal | undefined {
    const seen = this.addresses.get(clientAddress);
    if (seen === undefined) return undefined;
    const { period } = seen;
    // A later period of the same key (charges happened in between), a refund, or the end of
    // the period (from then on requests may be charged again): ask the store.
    if (this.layers.get(seen.layerKey) !== period || !refuses(period, nowMs)) {
      this.addresses.delete(clientAddress);
      return undefined;
    }
    if (cost > seen.allowedCost) return undefined;
    const { decision } = decideGcra(period.tat, nowMs, period.policy, capFor(cost, period.policy));
    if (decision.allowed) return undefined;
    return { layer: period.layer, policy: period.policy, decision };
  }

  /** Whether anything is remembered of this address (one lookup: most requests stop here). */
  holds(clientAddress: string): boolean {
    return this.addresses.has(clientAddress);
  }

  /** A refund moved this key's TAT back: its remembered refusals no longer hold. */
  forget(layerKey: string): void {
    this.layers.delete(layerKey);
  }

  /** Entries held now (for tests). */
  get size(): number {
    return this.layers.size + this.addresses.size;
  }

  /**
   * Makes room for one more entry of each kind by dropping ended refusal periods (and the addresses
   * that point to them); false if none has ended. Not before the earliest one can have ended,
   * so a full cache costs no sweep per request.
   */
  private room(nowMs: number): boolean {
    if (this.layers.size < this.maxEntries && this.addresses.size < this.maxEntries) return true;
    if (nowMs < this.noSweepBefore) return false;
    let earliest = Infinity;
    for (const [key, period] of this.layers) {
      if (!refuses(period, nowMs)) this.layers.delete(key);
      else earliest = Math.min(earliest, endOf(period));
    }
    for (const [address, seen] of this.addresses) if (this.layers.get(seen.layerKey) !== seen.period) this.addresses.delete(address);
    this.noSweepBefore = earliest;
    return this.layers.size < this.maxEntries && this.addresses.size < this.maxEntries;
  }
}

/** Whether a cost-1 request is still refused in this period at `nowMs`. */
function refuses(period: LayerEntry, nowMs: number): boolean {
  return nowMs < endOf(period);
}

/** When a cost-1 request passes again: TAT + interval − capacity (gcra.ts), in ms. */
function endOf(period: LayerEntry): number {
  const interval = intervalMicros(period.policy.ratePerSecond);
  return (Math.round(period.tat * 1000) + interval - period.policy.burst * interval) / 1000;
}
