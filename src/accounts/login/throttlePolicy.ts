/**
 * How failed logins slow an attacker down. Pure: the store keeps `FailureRecord`s and asks
 * `decideAttempt` whether the next attempt may start.
 *
 * Each key (an account name, a client address, an address range) gets `freeFailures`
 * failures at once; after that, every further attempt must wait twice as long as the one
 * before (1 s, 2 s, 4 s, …), at most `maxDelaySeconds`. Failures are forgotten
 * `forgetAfterSeconds` after the last one. Only failures count: an attempt is counted when it
 * starts (so parallel guesses cannot slip through together) and forgiven when it succeeds.
 */
export interface ThrottleRule {
  readonly freeFailures: number;
  readonly maxDelaySeconds: number;
  readonly forgetAfterSeconds: number;
}

export interface LoginThrottlePolicy {
  /** Per account name, whatever address the attempt comes from (rotating addresses do not help). */
  readonly account: ThrottleRule;
  /** Per trusted device cookie: the real user's own budget while an attacker holds the account's. */
  readonly device: ThrottleRule;
  /** Per client address. */
  readonly address: ThrottleRule;
  /** Per address range (IPv4 /24, IPv6 /56): one network with many addresses. */
  readonly range: ThrottleRule;
}

/** The defaults. README "Brute force" derives the guesses-per-hour bound from these numbers. */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicy = {
  account: { freeFailures: 5, maxDelaySeconds: 900, forgetAfterSeconds: 3600 },
  device: { freeFailures: 5, maxDelaySeconds: 900, forgetAfterSeconds: 3600 },
  address: { freeFailures: 20, maxDelaySeconds: 900, forgetAfterSeconds: 3600 },
  range: { freeFailures: 100, maxDelaySeconds: 900, forgetAfterSeconds: 3600 },
};

export interface FailureRecord {
  readonly failures: number;
  readonly lastFailureMs: number;
}

/** The wait after `failures` failures: 0 while free, then doubling from 1 s, capped. */
export function delayAfterFailuresMs(failures: number, rule: ThrottleRule): number {
  if (failures < rule.freeFailures) return 0;
  const exponent = Math.min(failures - rule.freeFailures, 30); // 2^30 s is far past any cap
  return Math.min(2 ** exponent * 1000, rule.maxDelaySeconds * 1000);
}

/**
 * Whether an attempt may start now, and the record to store if it does (the attempt counted
 * as a failure until forgiven). A refused attempt changes nothing, so hammering a locked key
 * does not extend the lock.
 */
export function decideAttempt(
  record: FailureRecord | undefined,
  nowMs: number,
  rule: ThrottleRule,
): { allowed: true; next: FailureRecord } | { allowed: false; retryAfterMs: number } {
  const live = record && nowMs - record.lastFailureMs < rule.forgetAfterSeconds * 1000 ? record : undefined;
  const failures = live?.failures ?? 0;
  const waitUntil = live ? live.lastFailureMs + delayAfterFailuresMs(failures, rule) : nowMs;
  if (waitUntil > nowMs) return { allowed: false, retryAfterMs: waitUntil - nowMs };
  return { allowed: true, next: { failures: failures + 1, lastFailureMs: nowMs } };
}

/** The record after a counted attempt turned out to succeed. */
export function forgiveAttempt(record: FailureRecord | undefined): FailureRecord | undefined {
  if (!record || record.failures <= 1) return undefined;
  return { failures: record.failures - 1, lastFailureMs: record.lastFailureMs };
}
