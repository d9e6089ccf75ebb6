// The server's keyring (threat: local disclosure of key material): created on first start as
// a 0600 file inside a 0700 directory, reloaded unchanged on the next start (never
// overwritten), refused when group or others can read or write it; one distinct 256-bit key
// per purpose, so a leak of one key does not expose the others.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertPrivate, KEY_PURPOSES, Keyring } from '../../src/crypto/keyring.ts';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('Keyring.loadOrCreate', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-keyring-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('creates the file 0600 inside a new 0700 directory', () => {
    const file = path.join(tmp, 'created', 'keyring');
    Keyring.loadOrCreate(file);
    assert.equal(mode(path.dirname(file)), 0o700);
    assert.equal(mode(file), 0o600);
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(data.version, 1);
  });

  it('reloads the same keys, and does not rewrite the file', () => {
    const file = path.join(tmp, 'reload', 'keyring');
    const first = Keyring.loadOrCreate(file);
    const content = fs.readFileSync(file, 'utf8');
    const second = Keyring.loadOrCreate(file);
    assert.equal(fs.readFileSync(file, 'utf8'), content);
    for (const purpose of KEY_PURPOSES) {
      assert.equal(second.current(purpose).id, first.current(purpose).id);
      assert.ok(second.current(purpose).key.equals(first.current(purpose).key), purpose);
      assert.ok(second.byId(first.current(purpose).id)?.key.equals(first.current(purpose).key));
    }
  });

  it('has one distinct 32-byte key per purpose', () => {
    const ring = Keyring.loadOrCreate(path.join(tmp, 'distinct', 'keyring'));
    const keys = KEY_PURPOSES.map((p) => ring.current(p));
    for (const k of keys) {
      assert.equal(k.key.length, 32, k.purpose);
      assert.ok(!k.key.equals(Buffer.alloc(32)), `${k.purpose} is not all zeros`);
    }
    assert.deepEqual(keys.map((k) => k.purpose), [...KEY_PURPOSES]);
    assert.equal(new Set(keys.map((k) => k.key.toString('hex'))).size, KEY_PURPOSES.length);
    assert.equal(new Set(keys.map((k) => k.id)).size, KEY_PURPOSES.length);
    assert.equal(ring.byId('no-such-key'), undefined);
  });

  it('creates different keys for different deployments', () => {
    const a = Keyring.loadOrCreate(path.join(tmp, 'a', 'keyring'));
    const b = Keyring.loadOrCreate(path.join(tmp, 'b', 'keyring'));
    for (const purpose of KEY_PURPOSES) assert.ok(!a.current(purpose).key.equals(b.current(purpose).key), purpose);
  });

  for (const bad of [0o640, 0o604, 0o644, 0o620, 0o602, 0o660]) {
    it(`refuses a keyring file with mode ${bad.toString(8)}, naming the file`, () => {
      const file = path.join(tmp, `mode-${bad.toString(8)}`, 'keyring');
      Keyring.loadOrCreate(file);
      fs.chmodSync(file, bad);
      assert.throws(() => Keyring.loadOrCreate(file), (err: Error) => err.message.includes(file) && /chmod 600/.test(err.message));
      assert.throws(() => assertPrivate(file));
      fs.chmodSync(file, 0o600);
      assert.doesNotThrow(() => Keyring.loadOrCreate(file));
    });
  }

  it('accepts an owner-only read-only keyring (0400)', () => {
    const file = path.join(tmp, 'readonly', 'keyring');
    Keyring.loadOrCreate(file);
    fs.chmodSync(file, 0o400);
    assert.doesNotThrow(() => Keyring.loadOrCreate(file));
  });

  it('refuses a file that is not a keyring, or has a key shorter than 256 bits', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'corrupt-'));
    const notKeyring = path.join(dir, 'not-keyring');
    fs.writeFileSync(notKeyring, JSON.stringify({ version: 2, keys: [] }), { mode: 0o600 });
    assert.throws(() => Keyring.loadOrCreate(notKeyring), /not a Gatehouse keyring/);

    const short = path.join(dir, 'short-key');
    Keyring.loadOrCreate(short);
    const data = JSON.parse(fs.readFileSync(short, 'utf8'));
    data.keys[0].key = Buffer.alloc(16, 1).toString('base64url');
    fs.writeFileSync(short, JSON.stringify(data));
    assert.throws(() => Keyring.loadOrCreate(short), /shorter than 256 bits/);

    const missing = path.join(dir, 'missing-purpose');
    Keyring.loadOrCreate(missing);
    const d2 = JSON.parse(fs.readFileSync(missing, 'utf8'));
    delete d2.current.csrf;
    fs.writeFileSync(missing, JSON.stringify(d2));
    assert.throws(() => Keyring.loadOrCreate(missing), /no current csrf key/);
  });
});

describe('a keyring written before a purpose existed', () => {
  it('gets a current key for the new purpose on load, every existing key untouched, still 0600', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-keyring-upgrade-'));
    try {
      const file = path.join(dir, 'keyring');
      Keyring.loadOrCreate(file);
      const old = JSON.parse(fs.readFileSync(file, 'utf8'));
      old.keys = old.keys.filter((k: { purpose: string }) => k.purpose !== 'device-cookie');
      delete old.current['device-cookie'];
      fs.writeFileSync(file, JSON.stringify(old), { mode: 0o600 });

      const ring = Keyring.loadOrCreate(file);
      assert.equal(ring.current('device-cookie').purpose, 'device-cookie');
      assert.equal(ring.current('device-cookie').key.length, 32);
      const upgraded = JSON.parse(fs.readFileSync(file, 'utf8'));
      for (const k of old.keys) assert.ok(upgraded.keys.some((u: { id: string; key: string }) => u.id === k.id && u.key === k.key), k.id);
      for (const purpose of Object.keys(old.current)) assert.equal(upgraded.current[purpose], old.current[purpose], purpose);
      assert.equal(mode(file), 0o600);
      assert.equal(Keyring.loadOrCreate(file).current('device-cookie').id, ring.current('device-cookie').id, 'added once, then kept');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Keyring.byIdFor', () => {
  it('finds a key only under its own purpose (a client-chosen key id never selects another purpose)', () => {
    const ring = Keyring.ephemeral();
    const csrf = ring.current('csrf');
    assert.equal(ring.byIdFor('csrf', csrf.id), csrf);
    assert.equal(ring.byIdFor('device-cookie', csrf.id), undefined);
    assert.equal(ring.byIdFor('csrf', 'no-such-key'), undefined);
  });
});

describe('Keyring.ephemeral', () => {
  it('gives fresh 32-byte keys for every purpose, different each time', () => {
    const a = Keyring.ephemeral();
    const b = Keyring.ephemeral();
    for (const purpose of KEY_PURPOSES) {
      assert.equal(a.current(purpose).key.length, 32);
      assert.ok(!a.current(purpose).key.equals(b.current(purpose).key));
    }
  });
});
