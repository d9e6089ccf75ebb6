import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoginFailureStore } from '../../src/accounts/login/LoginFailureStore.ts';
import type { UsedOtpStore } from '../../src/accounts/mfa/UsedOtpStore.ts';

/**
 * The contract every UsedOtpStore adapter must pass (memory today, Redis later): test-and-set
 * is atomic, per account and per step, and entries expire.
 */
export function usedOtpStoreContract(name: string, make: () => UsedOtpStore | Promise<UsedOtpStore>): void {
  describe(`UsedOtpStore contract: ${name}`, () => {
    it('lets exactly one of many concurrent claims of a step win', async () => {
      const store = await make();
      const results = await Promise.all(Array.from({ length: 20 }, () => store.claim('u1', 42, 1000, 90_000)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.claim('u2', 42, 1000, 90_000), true, 'per account');
      assert.equal(await store.claim('u1', 43, 1000, 90_000), true, 'per step');
    });

    it('forgets a step after its TTL', async () => {
      const store = await make();
      assert.equal(await store.claim('u', 1, 0, 1000), true);
      assert.equal(await store.claim('u', 1, 999, 1000), false);
      assert.equal(await store.claim('u', 1, 1000, 1000), true);
    });
  });
}

/** The contract every LoginFailureStore adapter must pass: begin decides and counts atomically; forgive undoes one count. */
export function loginFailureStoreContract(name: string, make: () => LoginFailureStore | Promise<LoginFailureStore>): void {
  const rule = { freeFailures: 3, maxDelaySeconds: 60, forgetAfterSeconds: 600 };
  describe(`LoginFailureStore contract: ${name}`, () => {
    it('starts at most the free number of concurrent attempts on one key', async () => {
      const store = await make();
      const results = await Promise.all(Array.from({ length: 10 }, () => store.begin('k', 0, rule)));
      assert.equal(results.filter((r) => r.allowed).length, 3);
      assert.deepEqual(await store.begin('k', 0, rule), { allowed: false, retryAfterMs: 1000 });
      assert.equal((await store.begin('other', 0, rule)).allowed, true, 'keys are independent');
    });

    it('forgiving a success gives the attempt back', async () => {
      const store = await make();
      for (let i = 0; i < 3; i++) assert.equal((await store.begin('k', 0, rule)).allowed, true);
      assert.equal((await store.begin('k', 0, rule)).allowed, false);
      await store.forgive('k');
      assert.equal((await store.begin('k', 0, rule)).allowed, true);
    });

    it('forgets failures after forgetAfterSeconds', async () => {
      const store = await make();
      for (let i = 0; i < 10; i++) await store.begin('k', 0, rule);
      assert.equal((await store.begin('k', 599_999, rule)).allowed, true, 'long after the wait');
      assert.equal((await store.begin('k', 600_000, rule)).allowed, false, 'the attempt at 599.999 s counted');
      assert.equal((await store.begin('k', 1_200_000, rule)).allowed, true);
    });
  });
}
