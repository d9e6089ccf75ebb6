/**
 * A rate-limit policy: `ratePerSecond` sustained, up to `burst` at once.
 * `name` appears in the RateLimit-Policy header.
 */
export interface LimitPolicy {
  readonly name: string;
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface LimitDecision {
  readonly allowed: boolean;
  /** Requests still allowed right now. */
  readonly remaining: number;
  /** When rejected: how long until one request would be allowed. */
  readonly retryAfterMs: number;
  /** How long until the full burst is available again. */
  readonly resetMs: number;
}

/**
 * The generic cell rate algorithm (GCRA): one number per key, the theoretical arrival time
 * (TAT) of the next request. Pure: the caller passes the clock and stores `tat`.
 * A rejected request does not move the TAT, so rejections never consume quota and a
 * client that stops recovers on schedule.
 *
 * The arithmetic runs in whole microseconds: in float milliseconds near today's epoch
 * values (about 2^40) each step rounds, and the error was enough to refuse the last request
 * of a burst (7/s allowed 13 of 14). Microseconds since the epoch stay exact integers.
 */
export function decideGcra(
  tat: number | undefined,
  nowMs: number,
  policy: LimitPolicy,
  cost = 1,
): { decision: LimitDecision; tat: number | undefined } {
  const interval = intervalMicros(policy.ratePerSecond);
  const capacity = policy.burst * interval;
  const now = Math.round(nowMs * 1000);
  const start = tat === undefined ? now : Math.max(Math.round(tat * 1000), now);
  // A request of cost n takes n cells at once (route cost: a login costs more than a read).
  const next = start + interval * cost;
  const backlog = next - now;
  if (backlog > capacity) {
    return {
      decision: { allowed: false, remaining: 0, retryAfterMs: (backlog - capacity) / 1000, resetMs: (start - now) / 1000 },
      tat,
    };
  }
  return {
    decision: {
      allowed: true,
      remaining: Math.floor((capacity - backlog) / interval),
      retryAfterMs: 0,
      resetMs: backlog / 1000,
    },
    tat: next / 1000,
  };
}

/**
 * Gives back `cost` cells charged earlier on a key whose TAT is `tat`: the TAT moves back by
 * `cost` intervals, never before `nowMs` (a refund cannot make the bucket fuller than full).
 * Pure. Used when a later layer refuses a request an earlier layer already admitted, so the
 * refused request consumes no quota anywhere (issue 6). Undefined when nothing is owed: the
 * key is unknown or its bucket is full again.
 */
export function refundGcra(tat: number | undefined, nowMs: number, policy: LimitPolicy, cost = 1): number | undefined {
  if (tat === undefined || isFull(tat, nowMs)) return undefined;
  const now = Math.round(nowMs * 1000);
  const back = Math.round(tat * 1000) - intervalMicros(policy.ratePerSecond) * cost;
  return Math.max(back, now) / 1000;
}

/** The emission interval in whole microseconds, rounded up: never more generous than the configured rate. */
export function intervalMicros(ratePerSecond: number): number {
  return Math.max(1, Math.ceil(1e6 / ratePerSecond - 1e-6));
}

/** A key's state is forgettable once its TAT is in the past: its bucket is full anyway. */
export function isFull(tat: number, nowMs: number): boolean {
  return tat <= nowMs;
}
