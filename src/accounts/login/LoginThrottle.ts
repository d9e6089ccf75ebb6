import type { Clock } from '../../clock.ts';
import { addressRange } from './addressRange.ts';
import type { LoginFailureStore } from './LoginFailureStore.ts';
import type { LoginThrottlePolicy, ThrottleRule } from './throttlePolicy.ts';

/** Who is trying to log in, as far as the limits care. */
export interface LoginAttempt {
  readonly username: string;
  readonly clientAddress: string;
  /** Id of a valid trusted-device cookie for this username, if the client sent one. */
  readonly trustedDeviceId?: string | undefined;
}

/** The keys an attempt was counted under; handed back when it succeeds. */
export interface LoginTicket {
  readonly keys: readonly string[];
}

export type ThrottleDecision =
  | { readonly allowed: true; readonly ticket: LoginTicket }
  | { readonly allowed: false; readonly retryAfterSeconds: number; readonly reason: string };

/**
 * Failed-login limits per account, per address and per address range (see throttlePolicy).
 * A client with a trusted-device cookie for the account (it completed a full login before) is
 * counted under that device instead of the account, so an attacker who exhausts the account's
 * budget does not lock the real user out. The key is the name as typed, whether or not such
 * an account exists: a locked unknown name looks exactly like a locked real one.
 */
export class LoginThrottle {
  constructor(
    private readonly store: LoginFailureStore,
    private readonly policy: LoginThrottlePolicy,
    private readonly clock: Clock,
  ) {}

  /** Counts the attempt under every key, or refuses it (counting nothing) if any key must wait. */
  async begin(attempt: LoginAttempt): Promise<ThrottleDecision> {
    const name = attempt.username.toLowerCase().slice(0, 64);
    const keys: [string, ThrottleRule][] = [
      attempt.trustedDeviceId ? [`device:${attempt.trustedDeviceId}`, this.policy.device] : [`account:${name}`, this.policy.account],
      [`address:${attempt.clientAddress}`, this.policy.address],
      [`range:${addressRange(attempt.clientAddress)}`, this.policy.range],
    ];
    const now = this.clock();
    const begun: string[] = [];
    for (const [key, rule] of keys) {
      const decision = await this.store.begin(key, now, rule);
      if (!decision.allowed) {
        await Promise.all(begun.map((k) => this.store.forgive(k)));
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)), reason: `failed-login limit on ${key}` };
      }
      begun.push(key);
    }
    return { allowed: true, ticket: { keys: begun } };
  }

  /** The attempt was a success (or not a guess): its counts are taken back. */
  async forgive(ticket: LoginTicket): Promise<void> {
    await Promise.all(ticket.keys.map((k) => this.store.forgive(k)));
  }
}
