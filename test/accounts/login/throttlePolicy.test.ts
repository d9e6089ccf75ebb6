// The failed-login schedule (pure): free failures, doubling delays, the cap, forgetting, and
// the bound README states: how many guesses per account per hour an attacker gets at most.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decideAttempt, DEFAULT_LOGIN_THROTTLE, delayAfterFailuresMs, forgiveAttempt, type FailureRecord, type ThrottleRule } from '../../../src/accounts/login/throttlePolicy.ts';

/** The most failed attempts an attacker can start on one key in `windowMs`, attempting at every earliest moment. */
function greedyAttempts(rule: ThrottleRule, windowMs: number): number {
  let record: FailureRecord | undefined;
  let now = 0;
  let attempts = 0;
  while (now < windowMs) {
    const d = decideAttempt(record, now, rule);
    if (d.allowed) {
      record = d.next;
      attempts++;
    } else {
      now += d.retryAfterMs;
    }
  }
  return attempts;
}

describe('failed-login schedule', () => {
  const rule = DEFAULT_LOGIN_THROTTLE.account;

  it('gives the free failures at once, then waits 1 s, 2 s, 4 s … up to the cap', () => {
    assert.deepEqual([0, 4, 5, 6, 7, 14, 15, 40].map((n) => delayAfterFailuresMs(n, rule)), [0, 0, 1000, 2000, 4000, 512_000, 900_000, 900_000]);
  });

  it('an attacker gets at most 17 guesses per account in the first hour, 4 in each hour after', () => {
    assert.equal(greedyAttempts(rule, 3600_000), 17);
    assert.equal(greedyAttempts(rule, 2 * 3600_000) - 17, 4);
  });

  it('no schedule of attempts beats the greedy one within an hour (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3600_000 - 1 }), { maxLength: 60 }), (times) => {
        let record: FailureRecord | undefined;
        let started = 0;
        for (const t of [...times].sort((a, b) => a - b)) {
          const d = decideAttempt(record, t, rule);
          if (d.allowed) {
            record = d.next;
            started++;
          }
        }
        return started <= 17;
      }),
    );
  });

  it('a refused attempt changes nothing (hammering does not extend the lock)', () => {
    const record = { failures: 6, lastFailureMs: 10_000 };
    const d = decideAttempt(record, 10_500, rule);
    assert.deepEqual(d, { allowed: false, retryAfterMs: 1500 });
  });

  it('forgets failures after an hour without one', () => {
    const record = { failures: 30, lastFailureMs: 0 };
    assert.equal(decideAttempt(record, 899_999, rule).allowed, false);
    assert.deepEqual(decideAttempt(record, 3600_000 - 1, rule), { allowed: true, next: { failures: 31, lastFailureMs: 3600_000 - 1 } });
    assert.deepEqual(decideAttempt(record, 3600_000, rule), { allowed: true, next: { failures: 1, lastFailureMs: 3600_000 } });
  });

  it('a success takes back its own count only', () => {
    assert.deepEqual(forgiveAttempt({ failures: 3, lastFailureMs: 5 }), { failures: 2, lastFailureMs: 5 });
    assert.equal(forgiveAttempt({ failures: 1, lastFailureMs: 5 }), undefined);
    assert.equal(forgiveAttempt(undefined), undefined);
  });
});
