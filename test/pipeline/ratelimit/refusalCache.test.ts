// The negative cache of refusals that the pre-routing flood gate answers from
// (pipeline/ratelimit/RefusalCache.ts), with explicit times. Proves: over ANY sequence of
// requests from addresses sharing a range, of several route costs, with refunds and time moving
// on, whenever the cache claims a refusal the store (MemoryRateLimitStore, all layers charged
// all or nothing) refuses that very request at the same layer with the same decision (so the
// 429's Retry-After and RateLimit headers are the store's); it never refuses what the store
// allows; a refund makes it forget; it ends exactly when the store allows again; and it stays
// bounded without sweeping on every refusal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LimitPolicy } from '../../../src/pipeline/ratelimit/gcra.ts';
import { capped, perSecond } from '../../../src/pipeline/ratelimit/layers.ts';
import { MemoryRateLimitStore } from '../../../src/pipeline/ratelimit/MemoryRateLimitStore.ts';
import type { LimitCharge } from '../../../src/pipeline/ratelimit/RateLimitStore.ts';
import { RefusalCache, type AnonymousLayer } from '../../../src/pipeline/ratelimit/RefusalCache.ts';

const T0 = Date.parse('2026-11-22T12:00:00Z');

function anonymous(address: string, cost: number, policies: { address: LimitPolicy; range: LimitPolicy; global: LimitPolicy }): LimitCharge[] {
  return [
    { key: `a:${address}`, policy: policies.address, cost: capped(cost, policies.address) },
    { key: 'r:10.0.0.0/24', policy: policies.range, cost: capped(cost, policies.range) },
    { key: 'g', policy: policies.global, cost: capped(cost, policies.global) },
  ];
}

/** A request as the rate-limit stage makes it: ask the store, note a refusal. */
function request(store: MemoryRateLimitStore, cache: RefusalCache, address: string, cost: number, now: number, policies: Parameters<typeof anonymous>[2]) {
  const charges = anonymous(address, cost, policies);
  const result = store.consumeAllSync(charges, now);
  if (!result.allowed) cache.noteRefusal(address, result.layer as AnonymousLayer, charges[result.layer]!, cost, result.decision, now);
  return { result, charges };
}

describe('RefusalCache', () => {
  const policies = { address: perSecond('address', 2), range: perSecond('range', 5), global: perSecond('global', 100) };

  it('repeats the store\'s refusal exactly, Retry-After included, and ends the moment the store allows', () => {
    const store = new MemoryRateLimitStore();
    const cache = new RefusalCache();
    for (let i = 0; i < 4; i++) assert.ok(request(store, cache, '10.0.0.1', 1, T0, policies).result.allowed);
    assert.equal(cache.refusal('10.0.0.1', 1, T0, capped), undefined, 'nothing refused yet: nothing known');
    const refused = request(store, cache, '10.0.0.1', 1, T0 + 100, policies).result;
    assert.equal(refused.allowed, false);
    const cached = cache.refusal('10.0.0.1', 1, T0 + 100, capped);
    assert.deepEqual(cached, { layer: 0, policy: policies.address, decision: refused.decision });
    // A dearer route: the store's wait is longer, and so is the cache's.
    const dearer = store.consumeAllSync(anonymous('10.0.0.1', 3, policies), T0 + 200);
    assert.deepEqual(cache.refusal('10.0.0.1', 3, T0 + 200, capped)?.decision, dearer.decision);
    // The first request passes again at T0 + 500 (2/s): refused until then, not a moment longer.
    assert.ok(cache.refusal('10.0.0.1', 1, T0 + 499.999, capped));
    assert.equal(cache.refusal('10.0.0.1', 1, T0 + 500, capped), undefined);
    assert.ok(store.consumeAllSync(anonymous('10.0.0.1', 1, policies), T0 + 500).allowed);
  });

  it('a refund makes it forget the refunded keys', () => {
    const store = new MemoryRateLimitStore();
    const cache = new RefusalCache();
    const admitted = [];
    for (let i = 0; i < 4; i++) admitted.push(request(store, cache, '10.0.0.2', 1, T0, policies).charges);
    assert.equal(request(store, cache, '10.0.0.2', 1, T0, policies).result.allowed, false);
    assert.ok(cache.refusal('10.0.0.2', 1, T0, capped));
    store.refundSync(admitted[3]!, T0);
    for (const c of admitted[3]!) cache.forget(c.key);
    assert.equal(cache.refusal('10.0.0.2', 1, T0, capped), undefined);
    assert.ok(store.consumeAllSync(anonymous('10.0.0.2', 1, policies), T0).allowed, 'and the store does allow it');
  });

  it('a range refusal holds for the address it refused, up to the cost its address allowed', () => {
    const store = new MemoryRateLimitStore();
    const cache = new RefusalCache();
    // Five addresses of one /24 take the range's burst of 10.
    for (let i = 0; i < 10; i++) request(store, cache, `10.0.0.${10 + (i % 5)}`, 1, T0, policies);
    const refused = request(store, cache, '10.0.0.20', 1, T0, policies).result;
    assert.equal(refused.layer, 1);
    assert.equal(cache.refusal('10.0.0.20', 1, T0, capped)?.layer, 1);
    assert.equal(cache.refusal('10.0.0.20', 3, T0, capped), undefined, 'a dearer request might be refused by its address first: ask the store');
    assert.equal(cache.refusal('10.0.0.21', 1, T0, capped), undefined, 'another address of the range: not known to pass its own layer');
  });

  it('a dearer request refused by a key that still admits one cell teaches it nothing (the key may be charged next)', () => {
    // The shrunk counterexample the property below once found.
    const p = { address: perSecond('address', 1), range: perSecond('range', 2), global: perSecond('global', 3) };
    const store = new MemoryRateLimitStore();
    const cache = new RefusalCache();
    request(store, cache, '10.0.0.1', 3, T0, p);
    assert.equal(request(store, cache, '10.0.0.2', 3, T0, p).result.layer, 1, 'refused by the range at cost 3');
    assert.ok(request(store, cache, '10.0.0.2', 1, T0, p).result.allowed, 'while the range still admits cost 1, and is charged');
    const claimed = cache.refusal('10.0.0.2', 3, T0, capped);
    const actual = store.consumeAllSync(anonymous('10.0.0.2', 3, p), T0);
    assert.ok(claimed === undefined || (claimed.layer === actual.layer && claimed.decision.retryAfterMs === actual.decision.retryAfterMs));
  });

  it('over any sequence of requests, costs, refunds and times, a cached refusal is the store\'s own decision', () => {
    const event = fc.oneof(
      fc.record({ kind: fc.constant('request' as const), address: fc.integer({ min: 1, max: 4 }), cost: fc.constantFrom(1, 3), dt: fc.integer({ min: 0, max: 400 }) }),
      fc.record({ kind: fc.constant('refund' as const), dt: fc.integer({ min: 0, max: 50 }) }),
    );
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 8 }), fc.integer({ min: 2, max: 20 }), fc.integer({ min: 3, max: 40 }), fc.array(event, { minLength: 1, maxLength: 200 }),
      (addressRate, rangeRate, globalRate, events) => {
        const p = { address: perSecond('address', addressRate), range: perSecond('range', rangeRate), global: perSecond('global', globalRate) };
        const store = new MemoryRateLimitStore();
        const cache = new RefusalCache();
        let now = T0;
        let lastAdmitted: LimitCharge[] | undefined;
        for (const e of events) {
          now += e.dt + 0.123; // not on whole milliseconds
          if (e.kind === 'refund') {
            if (lastAdmitted) {
              store.refundSync(lastAdmitted, now);
              for (const c of lastAdmitted) cache.forget(c.key);
            }
            continue;
          }
          const address = `10.0.0.${e.address}`;
          const claimed = cache.refusal(address, e.cost, now, capped);
          const { result, charges } = request(store, cache, address, e.cost, now, p);
          if (claimed) {
            assert.equal(result.allowed, false, 'the cache refused what the store allows');
            assert.equal(claimed.layer, result.layer);
            assert.deepEqual(claimed.decision, result.decision);
          }
          if (result.allowed) lastAdmitted = charges;
        }
      },
    ), { numRuns: 1000 });
  });

  it('stays bounded: when full of live refusals it remembers nothing new, and does not sweep until one can have ended', () => {
    const store = new MemoryRateLimitStore();
    const cache = new RefusalCache(3);
    const p = { address: perSecond('address', 1), range: perSecond('range', 1000), global: perSecond('global', 1000) };
    for (const n of [1, 2, 3, 4]) {
      for (let i = 0; i < 3; i++) request(store, cache, `10.0.0.${n}`, 1, T0, p);
    }
    assert.ok(cache.refusal('10.0.0.1', 1, T0, capped));
    assert.equal(cache.refusal('10.0.0.4', 1, T0, capped), undefined, 'no room: the store decides');
    assert.ok(cache.size <= 6);
    // Once the first refusals have ended, room is made for new ones.
    request(store, cache, '10.0.0.4', 1, T0 + 1000, p);
    request(store, cache, '10.0.0.4', 1, T0 + 1000, p);
    request(store, cache, '10.0.0.4', 1, T0 + 1000, p);
    assert.ok(cache.refusal('10.0.0.4', 1, T0 + 1000, capped));
  });
});
