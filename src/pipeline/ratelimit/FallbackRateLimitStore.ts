import { GatehouseError } from '../../errors/GatehouseError.ts';
import type { LimitDecision, LimitPolicy } from './gcra.ts';
import type { LayeredDecision, LimitCharge, RateLimitStore } from './RateLimitStore.ts';

export interface StoreFailureHandling {
  /** 'local': decide with in-process state (limits hold per instance); 'deny': 503 until the store is back. */
  readonly mode: 'local' | 'deny';
  /** Told about every failure (for the log and the metric). */
  readonly onFailure: (err: unknown) => void;
}

/**
 * The shared store with an explicit answer to its failure (issue 6): never "no limit". With
 * 'local', each instance limits on its own state while the shared store is down (a deployment
 * of n instances then admits up to n times the limit); with 'deny', requests get 503
 * overloaded with Retry-After.
 */
export class FallbackRateLimitStore implements RateLimitStore {
  constructor(
    private readonly shared: RateLimitStore,
    private readonly local: RateLimitStore,
    private readonly handling: StoreFailureHandling,
  ) {}

  async consume(key: string, policy: LimitPolicy, nowMs: number): Promise<LimitDecision> {
    return (await this.consumeAll([{ key, policy }], nowMs)).decision;
  }

  async consumeAll(charges: readonly LimitCharge[], nowMs: number): Promise<LayeredDecision> {
    try {
      return await this.shared.consumeAll(charges, nowMs);
    } catch (err) {
      this.handling.onFailure(err);
      if (this.handling.mode === 'local') return this.local.consumeAll(charges, nowMs);
      throw new GatehouseError('overloaded', {
        detail: 'Rate limiting is unavailable; retry shortly',
        auditReason: 'rate limit: the shared store failed; denying (GATEHOUSE_RATE_ON_STORE_FAILURE=deny)',
        headers: { 'retry-after': '1' },
      });
    }
  }

  /**
   * Never throws: a refund that cannot be made leaves the earlier charge in place (erring
   * toward limiting), and the failure is reported like any other. With 'local', the charge was
   * probably made locally too (the shared store is down), so the local state is refunded.
   */
  async refund(charges: readonly LimitCharge[], nowMs: number): Promise<void> {
    try {
      await this.shared.refund(charges, nowMs);
    } catch (err) {
      this.handling.onFailure(err);
      if (this.handling.mode === 'local') await this.local.refund(charges, nowMs);
    }
  }
}
