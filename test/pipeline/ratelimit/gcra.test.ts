// The limiter's arithmetic, with explicit times (pipeline/ratelimit/gcra.ts and
// MemoryRateLimitStore.ts). Proves: a burst is allowed and the next request refused with the
// exact wait; time gives quota back on schedule; refused requests consume nothing, so a client
// hammering while limited recovers exactly when one that stopped does; `remaining` counts
// down; the whole burst is honoured for rates whose interval is not a whole number of
// milliseconds; over ANY sequence of request times no window admits more than
// burst + rate × window (property test); and the bounded in-process store never forgets a
// key that is still being limited (only keys whose bucket is full again).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decideGcra, isFull, refundGcra, type LimitPolicy } from '../../../src/pipeline/ratelimit/gcra.ts';
import { MemoryRateLimitStore } from '../../../src/pipeline/ratelimit/MemoryRateLimitStore.ts';

const T0 = Date.parse('2026-11-22T12:00:00Z');
/** 2 per second, bursts of 4: one request every 500 ms. */
const TWO_PER_SECOND: LimitPolicy = { name: 'test', ratePerSecond: 2, burst: 4 };

/** Runs requests at the given times against one key; returns each decision. */
function run(policy: LimitPolicy, times: readonly number[], initialTat?: number) {
  let tat = initialTat;
  return times.map((now) => {
    const r = decideGcra(tat, now, policy);
    if (!r.decision.allowed) assert.equal(r.tat, tat, 'a refused request must not move the TAT');
    tat = r.tat;
    return { now, ...r.decision, tat };
  });
}

describe('decideGcra', () => {
  it('allows the burst at once, counting remaining down, then refuses with the exact wait', () => {
    const d = run(TWO_PER_SECOND, [T0, T0, T0, T0, T0]);
    assert.deepEqual(d.map((x) => x.allowed), [true, true, true, true, false]);
    assert.deepEqual(d.slice(0, 4).map((x) => x.remaining), [3, 2, 1, 0]);
    assert.deepEqual(d.slice(0, 4).map((x) => x.resetMs), [500, 1000, 1500, 2000]);
    const refused = d[4]!;
    assert.equal(refused.remaining, 0);
    assert.equal(refused.retryAfterMs, 500);
    assert.equal(refused.resetMs, 2000);
  });

  it('the wait shrinks as time passes and one request is allowed exactly when it ends', () => {
    const full = run(TWO_PER_SECOND, [T0, T0, T0, T0]).at(-1)!.tat;
    assert.equal(decideGcra(full, T0 + 200, TWO_PER_SECOND).decision.retryAfterMs, 300);
    assert.equal(decideGcra(full, T0 + 499, TWO_PER_SECOND).decision.allowed, false);
    const at500 = decideGcra(full, T0 + 500, TWO_PER_SECOND);
    assert.equal(at500.decision.allowed, true);
    assert.equal(at500.decision.remaining, 0);
    // ...and only one: the next at the same instant waits a whole interval again.
    assert.equal(decideGcra(at500.tat, T0 + 500, TWO_PER_SECOND).decision.retryAfterMs, 500);
  });

  it('after burst / rate seconds of silence the whole burst is back', () => {
    const full = run(TWO_PER_SECOND, [T0, T0, T0, T0]).at(-1)!.tat!;
    assert.equal(isFull(full, T0 + 1999), false);
    assert.equal(isFull(full, T0 + 2000), true);
    const d = run(TWO_PER_SECOND, [T0 + 2000, T0 + 2000, T0 + 2000, T0 + 2000, T0 + 2000], full);
    assert.deepEqual(d.map((x) => x.allowed), [true, true, true, true, false]);
    assert.equal(d[0]!.remaining, 3);
  });

  it('refused requests consume no quota: a client hammering while limited recovers on schedule', () => {
    const full = run(TWO_PER_SECOND, [T0, T0, T0, T0]).at(-1)!.tat;
    // Every 10 ms for just under one interval: all refused, and the TAT never moves.
    const hammering = run(TWO_PER_SECOND, Array.from({ length: 50 }, (_, i) => T0 + i * 10), full);
    assert.ok(hammering.every((x) => !x.allowed));
    assert.equal(hammering.at(-1)!.tat, full);
    // Allowed at exactly the time a client that stopped would be.
    assert.equal(decideGcra(hammering.at(-1)!.tat, T0 + 500, TWO_PER_SECOND).decision.allowed, true);
    // Sustained hammering is held to the rate: 1 allowed per 500 ms, not more.
    const sustained = run(TWO_PER_SECOND, Array.from({ length: 1000 }, (_, i) => T0 + i * 10), full);
    const allowedAt = sustained.filter((x) => x.allowed).map((x) => x.now - T0);
    assert.deepEqual(allowedAt, Array.from({ length: 19 }, (_, i) => 500 * (i + 1)));
  });

  it('a fresh key starts with a full burst', () => {
    const first = decideGcra(undefined, T0, TWO_PER_SECOND);
    assert.equal(first.decision.allowed, true);
    assert.equal(first.decision.remaining, 3);
    assert.equal(first.tat, T0 + 500);
  });

  it('honours the whole burst when the interval is not a whole number of milliseconds', () => {
    // Rates of 7/s (142.857… ms) or 0.7/s near today's epoch millisecond values: float
    // rounding must not cost the last request of the burst.
    for (const ratePerSecond of [7, 0.7, 3, 1 / 3, 10 / 60, 5000]) {
      const burst = Math.max(1, Math.ceil(ratePerSecond * 2));
      const policy = { name: 'r', ratePerSecond, burst };
      for (const now of [T0, T0 + 0.5, 1_234_567]) {
        const d = run(policy, Array.from({ length: burst + 1 }, () => now));
        assert.equal(d.filter((x) => x.allowed).length, burst, `rate ${ratePerSecond} at ${now}`);
        assert.deepEqual(d.slice(0, burst).map((x) => x.remaining), Array.from({ length: burst }, (_, i) => burst - 1 - i), `remaining, rate ${ratePerSecond}`);
        assert.equal(d[burst]!.allowed, false);
      }
    }
  });

  it('property: no window ever admits more than burst + rate × window', () => {
    const policyArb = fc.record({
      ratePerSecond: fc.constantFrom(1, 2, 7, 0.5, 0.7, 10 / 60, 3, 100, 1000),
      burstFactor: fc.constantFrom(1, 2, 3),
    }).map(({ ratePerSecond, burstFactor }) => ({ name: 'p', ratePerSecond, burst: Math.max(1, Math.ceil(ratePerSecond * burstFactor)) }));
    // Gaps between requests, many of them zero (simultaneous requests).
    const gapsArb = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5000 })), { minLength: 1, maxLength: 200 });
    fc.assert(
      fc.property(policyArb, gapsArb, fc.integer({ min: 0, max: 2 ** 41 }), (policy, gaps, start) => {
        let now = start;
        const times = gaps.map((g) => (now += g));
        const allowedAt = run(policy, times).filter((x) => x.allowed).map((x) => x.now);
        for (let i = 0; i < allowedAt.length; i++) {
          for (let j = i; j < allowedAt.length; j++) {
            const windowSeconds = (allowedAt[j]! - allowedAt[i]!) / 1000;
            const bound = policy.burst + policy.ratePerSecond * windowSeconds;
            if (j - i + 1 > bound + 1e-9) return false;
          }
        }
        // Simultaneous requests on a fresh key get the whole burst.
        const atOnce = run(policy, Array.from({ length: policy.burst + 1 }, () => start));
        return atOnce.filter((x) => x.allowed).length === policy.burst;
      }),
      { numRuns: 300 },
    );
  });
});

describe('refundGcra', () => {
  it('moves the TAT back by the cost, so the refunded cells can be used again at once', () => {
    const charged = run(TWO_PER_SECOND, [T0, T0, T0, T0]).at(-1)!.tat!;
    assert.equal(decideGcra(charged, T0, TWO_PER_SECOND).decision.allowed, false);
    const back = refundGcra(charged, T0, TWO_PER_SECOND, 2);
    assert.equal(back, T0 + 1000);
    assert.deepEqual(run(TWO_PER_SECOND, [T0, T0, T0], back).map((x) => x.allowed), [true, true, false]);
  });

  it('never fills a bucket beyond full: not before now, nothing for a full or unknown key', () => {
    assert.equal(refundGcra(T0 + 500, T0, TWO_PER_SECOND, 3), T0, 'clamped to now: a full bucket, not a bigger one');
    assert.equal(refundGcra(T0, T0, TWO_PER_SECOND), undefined, 'already full');
    assert.equal(refundGcra(T0 - 1, T0, TWO_PER_SECOND), undefined);
    assert.equal(refundGcra(undefined, T0, TWO_PER_SECOND), undefined);
  });

  it('property: a charge then its refund leaves every later decision as if it never happened', () => {
    fc.assert(fc.property(
      fc.option(fc.integer({ min: -5000, max: 5000 }), { nil: undefined }),
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 8 }),
      (offset, cost, later) => {
        const initial = offset === undefined ? undefined : T0 + offset;
        const charged = decideGcra(initial, T0, TWO_PER_SECOND, cost);
        fc.pre(charged.decision.allowed);
        const refunded = refundGcra(charged.tat, T0, TWO_PER_SECOND, cost);
        const times = [...later].sort((a, b) => a - b).map((t) => T0 + t);
        const strip = (ds: ReturnType<typeof run>) => ds.map((d) => d.allowed);
        assert.deepEqual(strip(run(TWO_PER_SECOND, times, refunded)), strip(run(TWO_PER_SECOND, times, initial)));
      },
    ));
  });
});

describe('MemoryRateLimitStore', () => {
  const policy: LimitPolicy = { name: 'address', ratePerSecond: 1, burst: 2 };

  it('keeps one bucket per key', async () => {
    const store = new MemoryRateLimitStore(10);
    assert.equal((await store.consume('a', policy, T0)).allowed, true);
    assert.equal((await store.consume('a', policy, T0)).allowed, true);
    assert.equal((await store.consume('a', policy, T0)).allowed, false);
    assert.equal((await store.consume('b', policy, T0)).allowed, true, 'another key is not affected');
    assert.equal(store.size, 2);
  });

  it('when the table is full, forgets keys whose bucket is full again, never a limited one', () => {
    const store = new MemoryRateLimitStore(3);
    // 'old' used its burst long ago; 'x' and 'y' are limited right now.
    store.consumeSync('old', policy, T0 - 10_000);
    for (const key of ['x', 'y']) {
      store.consumeSync(key, policy, T0);
      store.consumeSync(key, policy, T0);
      assert.equal(store.consumeSync(key, policy, T0).allowed, false);
    }
    assert.equal(store.size, 3);
    assert.equal(store.consumeSync('new', policy, T0).allowed, true);
    assert.equal(store.size, 3, 'the full bucket of "old" made room');
    for (const key of ['x', 'y']) assert.equal(store.consumeSync(key, policy, T0).allowed, false, `${key} is still limited`);
  });

  it('a table full of limited keys keeps every limit: new keys wait for room instead of evicting', () => {
    const store = new MemoryRateLimitStore(3);
    for (const key of ['x', 'y', 'z']) {
      store.consumeSync(key, policy, T0);
      store.consumeSync(key, policy, T0);
    }
    // A spray of new keys (an attacker's addresses) must not push the limited keys out.
    let sprayAllowed = 0;
    for (let i = 0; i < 50; i++) if (store.consumeSync(`spray-${i}`, policy, T0 + i).allowed) sprayAllowed++;
    assert.ok(store.size <= 3, 'the table stays bounded');
    assert.equal(sprayAllowed, policy.burst, 'the new keys are limited together, not let through');
    for (const key of ['x', 'y', 'z']) assert.equal(store.consumeSync(key, policy, T0 + 50).allowed, false, `${key} is still limited`);
    // Once their buckets are full again they may be forgotten, and new keys are tracked.
    assert.equal(store.consumeSync('later', policy, T0 + 2000).allowed, true);
  });

  it('property: with a tiny table, no key ever gets more than burst + rate × window', () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const eventArb = fc.record({ key: fc.constantFrom(...keys), gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1500 })) });
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 150 }), (events) => {
        const store = new MemoryRateLimitStore(2);
        let now = T0;
        const allowed = new Map<string, number[]>();
        for (const e of events) {
          now += e.gap;
          if (store.consumeSync(e.key, policy, now).allowed) allowed.set(e.key, [...(allowed.get(e.key) ?? []), now]);
          if (store.size > 2) return false;
        }
        for (const times of allowed.values()) {
          for (let i = 0; i < times.length; i++) {
            for (let j = i; j < times.length; j++) {
              if (j - i + 1 > policy.burst + policy.ratePerSecond * ((times[j]! - times[i]!) / 1000) + 1e-9) return false;
            }
          }
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
