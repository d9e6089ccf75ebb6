// The in-process stores behind the login limits and TOTP replay protection, and the pure
// helpers next to them: each store's atomicity claim is tested with concurrent calls.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressRange } from '../../../src/accounts/login/addressRange.ts';
import { issueDeviceCookie, verifyDeviceCookie } from '../../../src/accounts/login/deviceCookie.ts';
import { MemoryLoginFailureStore } from '../../../src/accounts/login/LoginFailureStore.ts';
import { MemoryUsedOtpStore } from '../../../src/accounts/mfa/UsedOtpStore.ts';
import { generateRecoveryCode, hashRecoveryCode, looksLikeRecoveryCode } from '../../../src/accounts/mfa/recoveryCodes.ts';
import { needsRehash, ARGON2_PARAMS } from '../../../src/accounts/passwordHashing.ts';
import { Keyring } from '../../../src/crypto/keyring.ts';
import { loginFailureStoreContract, usedOtpStoreContract } from '../storeContracts.ts';

usedOtpStoreContract('memory', () => new MemoryUsedOtpStore());
loginFailureStoreContract('memory', () => new MemoryLoginFailureStore());

describe('MemoryUsedOtpStore', () => {
  it('stays bounded by the live window', async () => {
    const store = new MemoryUsedOtpStore(10);
    for (let i = 0; i < 50; i++) await store.claim('u', 100 + i, 10_000 + i * 2000, 1000);
    assert.ok(store.size <= 11);
  });
});

describe('addressRange', () => {
  it('groups IPv4 by /24 and IPv6 by /56; IPv4-mapped counts as IPv4', () => {
    assert.equal(addressRange('203.0.113.7'), '203.0.113.0/24');
    assert.equal(addressRange('203.0.113.250'), addressRange('203.0.113.1'));
    assert.notEqual(addressRange('203.0.114.1'), addressRange('203.0.113.1'));
    assert.equal(addressRange('::ffff:203.0.113.9'), '203.0.113.0/24');
    assert.equal(addressRange('2001:db8:aa:bb01::1'), addressRange('2001:db8:aa:bbff:ffff::9'));
    assert.notEqual(addressRange('2001:db8:aa:bc00::1'), addressRange('2001:db8:aa:bb00::1'));
  });
});

describe('trusted-device cookie', () => {
  const keyring = Keyring.ephemeral();
  it('is valid only for the account it was issued to, and unforgeable', () => {
    const cookie = issueDeviceCookie(keyring, 'alice', 'dev1');
    assert.equal(verifyDeviceCookie(keyring, 'alice', cookie), 'dev1');
    assert.equal(verifyDeviceCookie(keyring, 'ALICE', cookie), 'dev1');
    assert.equal(verifyDeviceCookie(keyring, 'bob', cookie), undefined);
    assert.equal(verifyDeviceCookie(keyring, 'alice', cookie.replace('dev1', 'dev2')), undefined);
    assert.equal(verifyDeviceCookie(Keyring.ephemeral(), 'alice', cookie), undefined);
    assert.equal(verifyDeviceCookie(keyring, 'alice', undefined), undefined);
  });
});

describe('recovery codes and rehash detection', () => {
  it('recovery codes have 80 random bits in XXXX-XXXX-XXXX-XXXX and hash the same however typed', () => {
    const code = generateRecoveryCode();
    assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    assert.equal(hashRecoveryCode(code), hashRecoveryCode(code.toLowerCase().replace(/-/g, ' ')));
    assert.ok(looksLikeRecoveryCode(code));
    assert.ok(!looksLikeRecoveryCode('123456'));
    assert.notEqual(generateRecoveryCode(), code);
  });

  it('needsRehash is true for other argon2 parameters or other algorithms only', () => {
    const { memoryCost: m, timeCost: t, parallelism: p } = ARGON2_PARAMS;
    assert.equal(needsRehash(`$argon2id$v=19$m=${m},t=${t},p=${p}$c2FsdHNhbHQ$aGFzaA`), false);
    assert.equal(needsRehash(`$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA`), true);
    assert.equal(needsRehash(`$argon2i$v=19$m=${m},t=${t},p=${p}$c2FsdHNhbHQ$aGFzaA`), true);
    assert.equal(needsRehash('$2b$10$abcdefghijklmnopqrstuv'), true);
  });
});
