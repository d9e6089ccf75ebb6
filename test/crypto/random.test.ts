// The secret-handling primitives: constantTimeEqual answers exactly string equality (for any
// lengths and encodings); hashSecret is SHA-256, base64url (checked against the FIPS 180-2
// "abc" vector), deterministic and not the secret itself; ids and secrets are random and of
// the documented size.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constantTimeEqual, hashSecret, newId, newSecret } from '../../src/crypto/random.ts';

describe('constantTimeEqual', () => {
  it('is true for equal strings, including empty and non-ASCII ones', () => {
    assert.equal(constantTimeEqual('', ''), true);
    assert.equal(constantTimeEqual('abc', 'abc'), true);
    assert.equal(constantTimeEqual('żółw-🐢', 'żółw-🐢'), true);
    const s = newSecret();
    assert.equal(constantTimeEqual(s, `${s}`), true);
  });

  it('is false for different strings of the same length, wherever they differ', () => {
    const base = 'abcdefghijklmnop';
    for (let i = 0; i < base.length; i++) {
      const other = base.slice(0, i) + 'X' + base.slice(i + 1);
      assert.equal(constantTimeEqual(base, other), false, `differs at ${i}`);
    }
  });

  it('is false for different lengths, prefixes included, in both orders', () => {
    assert.equal(constantTimeEqual('abc', 'abcd'), false);
    assert.equal(constantTimeEqual('abcd', 'abc'), false);
    assert.equal(constantTimeEqual('', 'a'), false);
    assert.equal(constantTimeEqual('a', ''), false);
  });

  it('compares bytes, not UTF-16 units: same .length but different text is false', () => {
    assert.equal('é'.length, 'e'.length);
    assert.equal(constantTimeEqual('é', 'e'), false);
    // NFC and NFD spellings of the same letter are different secrets.
    assert.equal(constantTimeEqual('\u00e9', 'e\u0301'), false);
  });
});

describe('hashSecret', () => {
  it('is SHA-256 in base64url (FIPS 180-2 test vector "abc")', () => {
    const digest = hashSecret('abc');
    assert.match(digest, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(digest, 'base64url').toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('is deterministic, distinguishes inputs, and never returns the secret', () => {
    const s = newSecret();
    assert.equal(hashSecret(s), hashSecret(s));
    assert.notEqual(hashSecret(s), s);
    assert.notEqual(hashSecret(s), hashSecret(`${s}x`));
    assert.notEqual(hashSecret('a'), hashSecret('A'));
  });
});

describe('newId and newSecret', () => {
  it('newId is 96 random bits in base64url', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newId()));
    assert.equal(ids.size, 200);
    for (const id of ids) {
      assert.match(id, /^[A-Za-z0-9_-]{16}$/);
      assert.equal(Buffer.from(id, 'base64url').length, 12);
    }
  });

  it('newSecret is 256 random bits in base64url', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => newSecret()));
    assert.equal(secrets.size, 200);
    for (const s of secrets) {
      assert.match(s, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(s, 'base64url').length, 32);
    }
  });
});
