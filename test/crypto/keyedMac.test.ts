// Stateless MACs that carry their key id (CSRF tokens, trusted-device cookies): issued under
// the current key, verified under any key of the same purpose still in the keyring, refused
// under a key of another purpose, an unknown key id, or a wrong MAC.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { signWithKeyId, verifyWithKeyId } from '../../src/crypto/keyedMac.ts';
import { Keyring } from '../../src/crypto/keyring.ts';

describe('signWithKeyId / verifyWithKeyId', () => {
  it('tags with the current key id and verifies old tags after rotation', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-keyedmac-'));
    try {
      const file = path.join(dir, 'keyring');
      const ring = Keyring.loadOrCreate(file);
      const before = signWithKeyId(ring, 'csrf', 'csrf:s1');
      assert.ok(before.startsWith(`${ring.current('csrf').id}.`));
      Keyring.rotate(file, ['csrf']);
      ring.reload(file);
      const after = signWithKeyId(ring, 'csrf', 'csrf:s1');
      assert.ok(after.startsWith(`${ring.current('csrf').id}.`));
      assert.notEqual(after, before);
      assert.ok(verifyWithKeyId(ring, 'csrf', 'csrf:s1', before), 'the old key still verifies');
      assert.ok(verifyWithKeyId(ring, 'csrf', 'csrf:s1', after));
      assert.ok(!verifyWithKeyId(ring, 'csrf', 'csrf:s2', before), 'bound to its message');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses another purpose, an unknown key, a wrong MAC and malformed tags', () => {
    const ring = Keyring.ephemeral();
    const tag = signWithKeyId(ring, 'device-cookie', 'm');
    assert.ok(verifyWithKeyId(ring, 'device-cookie', 'm', tag));
    assert.ok(!verifyWithKeyId(ring, 'csrf', 'm', tag), 'a device-cookie tag is no CSRF token');
    assert.ok(!verifyWithKeyId(Keyring.ephemeral(), 'device-cookie', 'm', tag), 'another keyring');
    const mac = tag.slice(tag.indexOf('.') + 1);
    for (const bad of ['', '.', mac, `.${mac}`, `nokey.${mac}`, `${tag}x`, `${tag.slice(0, tag.indexOf('.'))}.`, 'x'.repeat(300)]) {
      assert.ok(!verifyWithKeyId(ring, 'device-cookie', 'm', bad), JSON.stringify(bad));
    }
  });
});
