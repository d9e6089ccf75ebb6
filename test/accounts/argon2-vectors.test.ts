// Password hashing against the argon2id known-answer vectors of the reference implementation
// (test/fixtures/argon2id-vectors.json names its source), checked two ways: the binding we use
// reproduces each encoded string from its salt and parameters, and verifyPasswordHash accepts
// it for its password and refuses any other. Also: new hashes use argon2id with the OWASP
// parameters (m=19456, t=2, p=1) and a fresh random salt.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { hash, hashRaw, parseOptions } from '@node-rs/argon2';
import { ARGON2_PARAMS, hashPassword, verifyPasswordHash } from '../../src/accounts/passwordHashing.ts';

interface Argon2Vector {
  password: string;
  salt: string;
  timeCost: number;
  memoryCost: number;
  parallelism: number;
  hex: string;
  encoded: string;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/argon2id-vectors.json', import.meta.url), 'utf8')) as {
  source: string;
  vectors: Argon2Vector[];
};

const ARGON2ID = 2; // the binding's Algorithm.Argon2id (a const enum, not importable under verbatimModuleSyntax)
const V0X13 = 1; // the binding's Version.V0x13

function optionsOf(v: Argon2Vector) {
  return {
    algorithm: ARGON2ID,
    version: V0X13,
    timeCost: v.timeCost,
    memoryCost: v.memoryCost,
    parallelism: v.parallelism,
    outputLen: 32,
    salt: Buffer.from(v.salt, 'utf8'),
  };
}

const label = (v: Argon2Vector) => `pwd=${v.password} salt=${v.salt} t=${v.timeCost} m=${v.memoryCost} p=${v.parallelism}`;

describe('argon2id reference vectors (phc-winner-argon2 src/test.c, v=0x13)', () => {
  it('the fixture names its source and keeps to small memory costs', () => {
    assert.match(fixture.source, /phc-winner-argon2/);
    assert.match(fixture.source, /src\/test\.c/);
    assert.ok(fixture.vectors.length >= 5, 'the reference file has several argon2id vectors');
    for (const v of fixture.vectors) {
      assert.ok(v.memoryCost <= 2 ** 16, `${label(v)}: memory cost above 2^16`);
      assert.ok(v.encoded.startsWith('$argon2id$v=19$'), `${label(v)}: not an argon2id v=19 string`);
    }
  });

  for (const v of fixture.vectors) {
    it(`@node-rs/argon2 reproduces ${label(v)}`, async () => {
      assert.equal(await hash(v.password, optionsOf(v)), v.encoded);
      const raw = await hashRaw(v.password, optionsOf(v));
      assert.equal(raw.toString('hex'), v.hex);
    });

    it(`verifyPasswordHash accepts ${label(v)} and refuses other passwords`, async () => {
      assert.equal(await verifyPasswordHash(v.encoded, v.password), true);
      assert.equal(await verifyPasswordHash(v.encoded, v.password.toUpperCase()), false);
    });
  }

  it('verifyPasswordHash refuses a vector with one character of the hash changed, and garbage, without throwing', async () => {
    const v = fixture.vectors.find((x) => x.memoryCost === 256 && x.parallelism === 1)!;
    const last = v.encoded.at(-1) === 'A' ? 'B' : 'A';
    assert.equal(await verifyPasswordHash(v.encoded.slice(0, -1) + last, v.password), false);
    assert.equal(await verifyPasswordHash('not a phc string', v.password), false);
    assert.equal(await verifyPasswordHash('', v.password), false);
  });
});

describe('hashPassword', () => {
  it('uses argon2id v=19 with m=19456, t=2, p=1', async () => {
    assert.deepEqual(ARGON2_PARAMS, { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const phc = await hashPassword('correct horse battery staple');
    assert.match(phc, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    const parsed = parseOptions(phc);
    assert.equal(parsed.algorithm, ARGON2ID);
    assert.equal(parsed.memoryCost, 19_456);
    assert.equal(parsed.timeCost, 2);
    assert.equal(parsed.parallelism, 1);
    assert.ok(parsed.saltLen >= 16, 'a salt of at least 128 bits');
    assert.equal(await verifyPasswordHash(phc, 'correct horse battery staple'), true);
    assert.equal(await verifyPasswordHash(phc, 'correct horse battery stapler'), false);
  });

  it('salts randomly: two hashes of the same password differ, in salt and in hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password twice'), hashPassword('same password twice')]);
    assert.notEqual(a, b);
    const [, , , , saltA, hashA] = a.split('$');
    const [, , , , saltB, hashB] = b.split('$');
    assert.notEqual(saltA, saltB);
    assert.notEqual(hashA, hashB);
    assert.equal(await verifyPasswordHash(a, 'same password twice'), true);
    assert.equal(await verifyPasswordHash(b, 'same password twice'), true);
  });
});
