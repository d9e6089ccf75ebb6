import { decideGcra, isFull, refundGcra, type LimitDecision, type LimitPolicy } from './gcra.ts';
import type { LayeredDecision, LimitCharge, RateLimitStore } from './RateLimitStore.ts';

/**
 * In-process limiter state: one TAT per key, in a bounded map. When the map is full, keys
 * whose bucket is already full are dropped (forgetting them changes nothing). A key that is
 * still being limited is never dropped: that would hand it a fresh burst, and an attacker
 * could clear its own limit by spraying new keys (addresses). While no room can be made,
 * new keys share one overflow bucket per policy: newcomers are limited together, never
 * let through unlimited. Atomic because JavaScript runs `consume` to completion on one thread.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly tats = new Map<string, number>();
  private readonly overflow = new Map<string, number>();
  /** No tracked bucket can be full before this time (TATs only grow), so no sweep is worth it. */
  private noSweepBefore = -Infinity;

  constructor(private readonly maxKeys = 100_000) {}

  async consume(key: string, policy: LimitPolicy, nowMs: number): Promise<LimitDecision> {
    return this.consumeSync(key, policy, nowMs);
  }

  async consumeAll(charges: readonly LimitCharge[], nowMs: number): Promise<LayeredDecision> {
    return this.consumeAllSync(charges, nowMs);
  }

  async refund(charges: readonly LimitCharge[], nowMs: number): Promise<void> {
    this.refundSync(charges, nowMs);
  }

  /**
   * Gives back the cells of tracked keys only: a charge that went to an overflow bucket is
   * not given back (it is shared with other newcomers; erring toward limiting is safe).
   */
  refundSync(charges: readonly LimitCharge[], nowMs: number): void {
    for (const { key, policy, cost } of charges) {
      const tat = refundGcra(this.tats.get(key), nowMs, policy, cost ?? 1);
      if (tat !== undefined) this.tats.set(key, tat);
    }
  }

  /** Synchronous form, for callers on the hot path. */
  consumeSync(key: string, policy: LimitPolicy, nowMs: number): LimitDecision {
    return this.consumeAllSync([{ key, policy }], nowMs).decision;
  }

  /** All or nothing: every layer is decided first, and only if all allow are their TATs stored. */
  consumeAllSync(charges: readonly LimitCharge[], nowMs: number): LayeredDecision {
    const writes: { table: Map<string, number>; slot: string; tat: number }[] = [];
    let tightest: LayeredDecision | undefined;
    for (let i = 0; i < charges.length; i++) {
      const { key, policy, cost } = charges[i]!;
      const { table, slot, current } = this.slotFor(key, policy, nowMs);
      const { decision, tat } = decideGcra(current, nowMs, policy, cost ?? 1);
      if (!decision.allowed) return { allowed: false, layer: i, decision };
      if (tat !== undefined) writes.push({ table, slot, tat });
      if (!tightest || decision.remaining < tightest.decision.remaining) tightest = { allowed: true, layer: i, decision };
    }
    for (const w of writes) w.table.set(w.slot, w.tat);
    return tightest ?? { allowed: true, layer: -1, decision: { allowed: true, remaining: 0, retryAfterMs: 0, resetMs: 0 } };
  }

  private slotFor(key: string, policy: LimitPolicy, nowMs: number): { table: Map<string, number>; slot: string; current: number | undefined } {
    const current = this.tats.get(key);
    if (current !== undefined) return { table: this.tats, slot: key, current };
    // A new key starts no fresher than the overflow bucket (it may have been in it a moment ago).
    const overflow = this.overflow.get(policy.name);
    if (this.tats.size >= this.maxKeys && !this.makeRoom(nowMs)) return { table: this.overflow, slot: policy.name, current: overflow };
    return { table: this.tats, slot: key, current: overflow };
  }

  /** Number of keys tracked (for tests and metrics). */
  get size(): number {
    return this.tats.size;
  }

  /** Drops the keys whose bucket is full; true if that made room. */
  private makeRoom(nowMs: number): boolean {
    if (nowMs < this.noSweepBefore) return false;
    let earliest = Infinity;
    for (const [key, tat] of this.tats) {
      if (isFull(tat, nowMs)) this.tats.delete(key);
      else if (tat < earliest) earliest = tat;
    }
    const room = this.tats.size < this.maxKeys;
    this.noSweepBefore = room ? -Infinity : earliest;
    return room;
  }
}
