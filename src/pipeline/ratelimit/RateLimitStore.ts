import type { LimitDecision, LimitPolicy } from './gcra.ts';

/** One limit to charge: `cost` cells of `policy` on `key`. */
export interface LimitCharge {
  readonly key: string;
  readonly policy: LimitPolicy;
  /** Whole cells this request takes (route cost); default 1. */
  readonly cost?: number;
}

/** The decision over several layers: the first refusing layer, or the tightest allowing one. */
export interface LayeredDecision {
  readonly allowed: boolean;
  /** Index in the charges of the layer that refused, or of the one with the fewest left. */
  readonly layer: number;
  readonly decision: LimitDecision;
}

/**
 * Where limiter state lives. `consume` decides and records one request for `key` in one
 * atomic step (no read-then-write race), so a limit holds under any concurrency; with a
 * shared backend it holds across instances too.
 *
 * `consumeAll` charges several layers (address, range, global...) all or nothing, in one
 * atomic step: if any layer refuses, no layer is charged, so a refused request consumes no
 * quota anywhere (a flood stopped at the global layer does not drain its own address budget,
 * and a request refused by its address does not drain the global budget others share).
 *
 * `refund` gives back what an allowed `consumeAll` of the same charges took, in one atomic
 * step, when a LATER stage's limit refuses the request (the user layer runs after
 * authentication, so its refusal comes after the address layers were charged): without it a
 * user over their own quota would keep draining the address, range and global budgets that
 * others share. A refund never fills a bucket beyond full, and it errs toward limiting: a key
 * that was forgotten (or charged in an overflow bucket) in the meantime gets nothing back.
 */
export interface RateLimitStore {
  consume(key: string, policy: LimitPolicy, nowMs: number): Promise<LimitDecision>;
  consumeAll(charges: readonly LimitCharge[], nowMs: number): Promise<LayeredDecision>;
  refund(charges: readonly LimitCharge[], nowMs: number): Promise<void>;
}
