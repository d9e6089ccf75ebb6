import { decideAttempt, forgiveAttempt, type FailureRecord, type ThrottleRule } from './throttlePolicy.ts';

/**
 * Where failed-login counts live, per key.
 *
 * Atomicity: `begin` must decide and count in one step, so that N parallel attempts on one
 * key are counted N times and at most the allowed number start (Redis: one Lua script with
 * server time). `forgive` undoes one count atomically.
 */
export interface LoginFailureStore {
  /** Starts an attempt on `key` if the rule allows it now (counting it as a failure), else how long to wait. */
  begin(key: string, nowMs: number, rule: ThrottleRule): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }>;
  /** The attempt succeeded: take back its count. */
  forgive(key: string): Promise<void>;
}

/** In-process store: a bounded map; atomic because each call runs to completion on one thread. */
export class MemoryLoginFailureStore implements LoginFailureStore {
  private readonly records = new Map<string, FailureRecord & { forgetAtMs: number }>();

  constructor(private readonly maxKeys = 100_000) {}

  async begin(key: string, nowMs: number, rule: ThrottleRule) {
    const decision = decideAttempt(this.records.get(key), nowMs, rule);
    if (!decision.allowed) return decision;
    if (!this.records.has(key) && this.records.size >= this.maxKeys) this.evict(nowMs);
    this.records.set(key, { ...decision.next, forgetAtMs: nowMs + rule.forgetAfterSeconds * 1000 });
    return { allowed: true as const };
  }

  async forgive(key: string): Promise<void> {
    const current = this.records.get(key);
    const next = forgiveAttempt(current);
    if (!next || !current) this.records.delete(key);
    else this.records.set(key, { ...next, forgetAtMs: current.forgetAtMs });
  }

  private evict(nowMs: number): void {
    for (const [key, r] of this.records) if (r.forgetAtMs <= nowMs) this.records.delete(key);
    // Still full: drop the oldest entries. This gives their attackers a fresh budget, so the
    // table is sized (maxTrackedKeys) well above the number of accounts under attack at once.
    let toDrop = this.records.size >= this.maxKeys ? Math.ceil(this.maxKeys / 10) : 0;
    for (const key of this.records.keys()) {
      if (toDrop-- <= 0) break;
      this.records.delete(key);
    }
  }
}
