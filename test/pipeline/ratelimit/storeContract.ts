// The RateLimitStore contract (STYLE.md habit 3: one suite, every adapter runs it). Real time
// is used because the Redis adapter decides with Redis's own clock; the policies are chosen
// so that the little time a test takes cannot change its outcome (rates of one per 1000 s),
// except where recovery is the point. What it proves: bursts and exact remaining counts;
// refusal with a wait; refused requests consume nothing, on any layer (all or nothing);
// route cost; keys independent; recovery with time; under 300 parallel decisions exactly
// the burst is allowed (no read-then-write race); and a refund gives back exactly what an
// allowed charge took, on every layer, never more than a full bucket.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { LimitPolicy } from '../../../src/pipeline/ratelimit/gcra.ts';
import type { RateLimitStore } from '../../../src/pipeline/ratelimit/RateLimitStore.ts';

const slow = (burst: number, name = 'slow'): LimitPolicy => ({ name, ratePerSecond: 0.001, burst });

/** Registers the contract suite for one adapter. `stores` gives several handles on ONE shared state (instances). */
export function rateLimitStoreContract(name: string, stores: () => RateLimitStore[]): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    const key = (label: string) => `${label}:${randomUUID()}`;
    const store = () => stores()[0]!;

    it('allows the burst with exact remaining counts, then refuses with the wait until one more', async () => {
      const k = key('burst');
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) {
        const d = await store().consume(k, slow(3), Date.now());
        assert.equal(d.allowed, true);
        remaining.push(d.remaining);
      }
      assert.deepEqual(remaining, [2, 1, 0]);
      const refused = await store().consume(k, slow(3), Date.now());
      assert.equal(refused.allowed, false);
      assert.equal(refused.remaining, 0);
      assert.ok(refused.retryAfterMs > 990_000 && refused.retryAfterMs <= 1_000_000, `wait ${refused.retryAfterMs}`);
      assert.ok(refused.resetMs > 2_990_000 && refused.resetMs <= 3_000_000, `reset ${refused.resetMs}`);
    });

    it('keys are independent', async () => {
      const [a, b] = [key('a'), key('b')];
      assert.equal((await store().consume(a, slow(1), Date.now())).allowed, true);
      assert.equal((await store().consume(a, slow(1), Date.now())).allowed, false);
      assert.equal((await store().consume(b, slow(1), Date.now())).allowed, true);
    });

    it('all or nothing: when one layer refuses, no layer is charged', async () => {
      const [tight, loose] = [key('tight'), key('loose')];
      const layers = [{ key: tight, policy: slow(1, 'tight') }, { key: loose, policy: slow(5, 'loose') }];
      const first = await store().consumeAll(layers, Date.now());
      assert.deepEqual([first.allowed, first.layer, first.decision.remaining], [true, 0, 0], 'the tightest layer is reported');
      for (let i = 0; i < 10; i++) {
        const refused = await store().consumeAll(layers, Date.now());
        assert.deepEqual([refused.allowed, refused.layer], [false, 0]);
      }
      const d = await store().consume(loose, slow(5, 'loose'), Date.now());
      assert.equal(d.remaining, 3, 'the loose layer was charged once, by the allowed request only');
    });

    it('a request of cost n takes n cells; one that does not fit takes none', async () => {
      const k = key('cost');
      const charge = (cost: number) => store().consumeAll([{ key: k, policy: slow(10), cost }], Date.now());
      assert.equal((await charge(4)).decision.remaining, 6);
      assert.equal((await charge(4)).decision.remaining, 2);
      assert.equal((await charge(4)).allowed, false);
      assert.equal((await charge(2)).decision.remaining, 0, 'the refused request took nothing');
    });

    it('recovers with time (20/s, burst 1: one more after 50 ms)', async () => {
      const k = key('recover');
      const fast = { name: 'fast', ratePerSecond: 20, burst: 1 };
      assert.equal((await store().consume(k, fast, Date.now())).allowed, true);
      assert.equal((await store().consume(k, fast, Date.now())).allowed, false);
      await new Promise((r) => setTimeout(r, 70));
      assert.equal((await store().consume(k, fast, Date.now())).allowed, true);
    });

    it('refund gives back what an allowed charge took, on every layer, from any instance', async () => {
      const [tight, loose] = [key('refund-tight'), key('refund-loose')];
      const layers = [{ key: tight, policy: slow(1, 'tight') }, { key: loose, policy: slow(5, 'loose'), cost: 2 }];
      assert.equal((await store().consumeAll(layers, Date.now())).allowed, true);
      assert.equal((await store().consumeAll(layers, Date.now())).allowed, false, 'the tight layer is spent');
      const all = stores();
      await all[all.length - 1]!.refund(layers, Date.now());
      const again = await store().consumeAll(layers, Date.now());
      assert.deepEqual([again.allowed, again.layer, again.decision.remaining], [true, 0, 0], 'the tight layer has its cell back');
      assert.equal((await store().consume(loose, slow(5, 'loose'), Date.now())).remaining, 5 - 2 - 1, 'the loose layer paid for one request of cost 2, not two');
    });

    it('refund never fills a bucket beyond its burst, and owes nothing on an unknown key', async () => {
      const [k, unknown] = [key('refund-cap'), key('refund-unknown')];
      await store().consume(k, slow(3), Date.now());
      for (let i = 0; i < 3; i++) await store().refund([{ key: k, policy: slow(3) }], Date.now());
      await store().refund([{ key: unknown, policy: slow(3), cost: 3 }], Date.now());
      for (const label of [k, unknown]) {
        const decisions = [];
        for (let i = 0; i < 4; i++) decisions.push((await store().consume(label, slow(3), Date.now())).allowed);
        assert.deepEqual(decisions, [true, true, true, false], `${label}: the burst of 3, not more`);
      }
    });

    it('300 parallel decisions, spread over every instance, allow exactly the burst of 50', async () => {
      const k = key('race');
      const all = stores();
      const decisions = await Promise.all(Array.from({ length: 300 }, (_, i) => all[i % all.length]!.consumeAll([{ key: k, policy: slow(50) }, { key: 'shared-' + k, policy: slow(1000) }], Date.now())));
      assert.equal(decisions.filter((d) => d.allowed).length, 50);
      assert.equal((await store().consume('shared-' + k, slow(1000), Date.now())).remaining, 1000 - 51, 'the second layer counted only the allowed 50');
    });
  });
}
