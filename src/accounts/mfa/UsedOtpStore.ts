/**
 * Remembers which TOTP time steps an account has already used, so that every accepted code
 * is accepted once (RFC 6238 §5.2: the verifier must not accept a second use of the same OTP).
 *
 * Atomicity: `claim` must test-and-set in one step. Two concurrent requests with the same
 * code must not both get `true`; with a shared backend (Redis: SET key NX PX) this must hold
 * across instances too.
 */
export interface UsedOtpStore {
  /** Marks `step` of `accountId` used; false if it already was. Forgets it after `ttlMs`. */
  claim(accountId: string, step: number, nowMs: number, ttlMs: number): Promise<boolean>;
}

/**
 * In-process implementation: a map of `<account>:<step>` → expiry. Atomic because `claim`
 * runs to completion on one thread with no await between the test and the set.
 * Expired entries are swept when the map grows, so it stays bounded by the live window.
 */
export class MemoryUsedOtpStore implements UsedOtpStore {
  private readonly used = new Map<string, number>();

  constructor(private readonly sweepAbove = 10_000) {}

  async claim(accountId: string, step: number, nowMs: number, ttlMs: number): Promise<boolean> {
    const key = `${accountId}:${step}`;
    const expiry = this.used.get(key);
    if (expiry !== undefined && expiry > nowMs) return false;
    if (this.used.size >= this.sweepAbove) this.sweep(nowMs);
    this.used.set(key, nowMs + ttlMs);
    return true;
  }

  /** Entries held (tests). */
  get size(): number {
    return this.used.size;
  }

  private sweep(nowMs: number): void {
    for (const [key, expiry] of this.used) if (expiry <= nowMs) this.used.delete(key);
  }
}
