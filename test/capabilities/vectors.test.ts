// Interoperability with the libmacaroons family: published serialized macaroons decode with
// our token decoder and verify under the vector's key (and fail under any other key, or with
// a caveat stripped). Vectors and their sources: test/fixtures/macaroon-vectors.json.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import macaroon from 'macaroon';
import { decodeToken, verifySignature } from '../../src/capabilities/macaroonToken.ts';

interface Vector { name: string; key: string; location: string; identifier: string; caveats: string[]; signature: string; serialized: string }
const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/macaroon-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

describe('macaroon test vectors (libmacaroons family)', () => {
  for (const v of vectors) {
    it(`${v.name}: decodes, verifies with the vector key, and refuses another key`, () => {
      const m = decodeToken(v.serialized);
      assert.equal(m.location, v.location);
      assert.equal(Buffer.from(m.identifier).toString('utf8'), v.identifier);
      assert.equal(Buffer.from(m.signature).toString('hex'), v.signature);
      const ok = verifySignature(m, Buffer.from(v.key));
      assert.deepEqual(ok, { ok: true, caveats: v.caveats });
      assert.equal(verifySignature(m, Buffer.from(`${v.key}!`)).ok, false);
    });

    it(`${v.name}: minting the same macaroon here gives the vector's signature`, () => {
      const m = macaroon.newMacaroon({ version: 2, rootKey: Buffer.from(v.key), identifier: v.identifier, location: v.location });
      for (const c of v.caveats) m.addFirstPartyCaveat(c);
      assert.equal(Buffer.from(m.signature).toString('hex'), v.signature);
    });
  }

  it('a vector with its caveat removed no longer verifies (caveats cannot be stripped)', () => {
    const v = vectors.find((x) => x.caveats.length > 0)!;
    const stripped = macaroon.importMacaroon({ identifier: v.identifier, location: v.location, signature: v.signature, caveats: [] });
    assert.equal(verifySignature(stripped, Buffer.from(v.key)).ok, false);
  });
});

describe('V2 binary encoding', () => {
  it('re-encodes the V2 vector byte for byte', async () => {
    const { encodeV2Binary } = await import('../../src/capabilities/macaroonToken.ts');
    const v2 = vectors.filter((x) => x.serialized.startsWith('Ag'));
    assert.ok(v2.some((v) => v.caveats.length > 0), 'V2 vectors with caveats are checked too');
    for (const v of v2) assert.equal(Buffer.from(encodeV2Binary(decodeToken(v.serialized))).toString('base64'), v.serialized, v.name);
  });

  it('offline attenuation (appendCaveats) of the caveat-free V2 vector gives the published V2 vectors with caveats, byte for byte', async () => {
    const { appendCaveats } = await import('../../src/capabilities/macaroonToken.ts');
    const v2 = vectors.filter((x) => x.serialized.startsWith('Ag'));
    const bare = v2.find((v) => v.caveats.length === 0)!;
    const withCaveats = v2.filter((v) => v.caveats.length > 0);
    assert.ok(withCaveats.length >= 2);
    for (const v of withCaveats) {
      const attenuated = appendCaveats(bare.serialized, v.caveats);
      assert.equal(Buffer.from(attenuated, 'base64url').toString('base64'), v.serialized, v.name);
    }
  });

  it('stays small and fast with many caveats (js-macaroon exportBinary would not)', async () => {
    const { appendCaveats, mintToken } = await import('../../src/capabilities/macaroonToken.ts');
    let token = mintToken(Buffer.alloc(32, 1), { keyId: 'k', capabilityId: 'c' }, ['space = s']);
    for (let i = 0; i < 30; i++) token = appendCaveats(token, ['permissions = read']);
    assert.ok(token.length < 2000);
    const m = decodeToken(token);
    assert.equal(m.caveats.length, 31);
    assert.ok(verifySignature(m, Buffer.alloc(32, 1)).ok);
  });
});
