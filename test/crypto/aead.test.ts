// Values at rest are encrypted with AES-256-GCM under a keyring key: a round trip works, and
// any change (ciphertext, key id, associated data = moving it to another row) is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decryptValue, DecryptionError, encryptValue, keyIdOf } from '../../src/crypto/aead.ts';
import { Keyring } from '../../src/crypto/keyring.ts';

describe('AEAD values at rest', () => {
  const keyring = Keyring.ephemeral();

  it('round-trips any text, with a fresh IV each time', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.string(), (text, ad) => {
      const a = encryptValue(keyring, 'at-rest', text, ad);
      const b = encryptValue(keyring, 'at-rest', text, ad);
      assert.notEqual(a, b);
      assert.equal(decryptValue(keyring, 'at-rest', a, ad), text);
    }));
  });

  it('records the key id, and never contains the plaintext', () => {
    const stored = encryptValue(keyring, 'at-rest', 'attack at dawn', 'messages.text:1');
    assert.equal(keyIdOf(stored), keyring.current('at-rest').id);
    assert.ok(!stored.includes('attack'));
    assert.ok(!Buffer.from(stored.split('.')[3]!, 'base64url').toString('latin1').includes('attack'));
  });

  it('refuses a value moved to another row (different associated data)', () => {
    const stored = encryptValue(keyring, 'at-rest', 'secret', 'messages.text:1');
    assert.throws(() => decryptValue(keyring, 'at-rest', stored, 'messages.text:2'), DecryptionError);
  });

  it('refuses any flipped bit', () => {
    const stored = encryptValue(keyring, 'at-rest', 'secret text', 'ad');
    const parts = stored.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    for (let i = 0; i < body.length; i++) {
      const flipped = Buffer.from(body);
      flipped[i]! ^= 1;
      const tampered = [...parts.slice(0, 3), flipped.toString('base64url')].join('.');
      assert.throws(() => decryptValue(keyring, 'at-rest', tampered, 'ad'), DecryptionError);
    }
  });

  it('refuses unknown keys, keys of another purpose, and malformed values', () => {
    const stored = encryptValue(keyring, 'at-rest', 'x', 'ad');
    assert.throws(() => decryptValue(Keyring.ephemeral(), 'at-rest', stored, 'ad'), DecryptionError);
    assert.throws(() => decryptValue(keyring, 'totp', stored, 'ad'), DecryptionError);
    for (const bad of ['', 'plain text', 'v1.x.y', 'v2.a.b.c', `${stored}.extra`]) {
      assert.throws(() => decryptValue(keyring, 'at-rest', bad, 'ad'), DecryptionError, bad);
    }
  });
});
