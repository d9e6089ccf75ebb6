// The caveat language and attenuation, as pure functions: every caveat must be understood,
// rights are the intersection of all caveats, and (property) no sequence of appended caveats
// ever widens a token: whatever an attacker appends, the rights only shrink.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { attenuateCapability, AttenuationError } from '../../src/capabilities/attenuate.ts';
import { effectiveRights, formatCaveat, parseCaveat, rightsRefuse, type Caveat } from '../../src/capabilities/caveats.ts';
import { mintToken, readCaveats, verifySignature, decodeToken } from '../../src/capabilities/macaroonToken.ts';

const T0 = Date.parse('2026-11-22T12:00:00Z');
const base = ['space = s1', 'permissions = read,post', `expires < ${new Date(T0 + 3600_000).toISOString()}`];

describe('capability caveats', () => {
  it('round-trips every kind of caveat through its text', () => {
    const caveats: Caveat[] = [
      { kind: 'space', spaceId: 'abc_-1' },
      { kind: 'permissions', permissions: ['read'] },
      { kind: 'expires', atMs: T0 },
      { kind: 'method', methods: ['GET', 'POST'] },
    ];
    for (const c of caveats) assert.deepEqual(parseCaveat(formatCaveat(c)), c);
  });

  it('refuses unknown or malformed caveats, so a token carrying one is invalid', () => {
    for (const text of ['admin = true', 'permissions = read,write', 'permissions = read,read', 'space = ../x', 'expires < tomorrow', 'expires > 2026-11-22T12:00:00Z', 'method = CONNECT', 'space  = s1', '']) {
      assert.equal(parseCaveat(text), undefined, text);
      assert.equal(effectiveRights([...base, text]).ok, false, text);
    }
  });

  it('intersects permissions and methods, keeps the earliest expiry, and refuses two spaces', () => {
    const r = effectiveRights([...base, 'permissions = read', 'method = GET,POST', 'method = GET', `expires < ${new Date(T0 + 60_000).toISOString()}`]);
    assert.ok(r.ok);
    assert.deepEqual(r.rights, { spaceId: 's1', permissions: ['read'], expiresAtMs: T0 + 60_000, methods: ['GET'] });
    assert.equal(effectiveRights([...base, 'space = s2']).ok, false);
    assert.equal(effectiveRights(['space = s1', 'permissions = read']).ok, false, 'no expiry: refused');
  });

  it('refuses requests after expiry, with no permission left, or with an excluded method', () => {
    const r = effectiveRights([...base, 'method = GET']);
    assert.ok(r.ok);
    assert.equal(rightsRefuse(r.rights, { nowMs: T0, method: 'GET' }), undefined);
    assert.match(String(rightsRefuse(r.rights, { nowMs: T0, method: 'POST' })), /method/);
    assert.match(String(rightsRefuse(r.rights, { nowMs: T0 + 3600_000, method: 'GET' })), /expired/);
    const none = effectiveRights([...base, 'permissions = read', 'permissions = post']);
    assert.ok(none.ok);
    assert.match(String(rightsRefuse(none.rights, { nowMs: T0, method: 'GET' })), /no permission/);
  });

  it('property: appending any caveats never widens the rights', () => {
    const caveatArb = fc.oneof(
      fc.subarray(['read', 'post'] as const, { minLength: 1 }).map((p) => formatCaveat({ kind: 'permissions', permissions: p })),
      fc.integer({ min: -7200, max: 7200 }).map((s) => formatCaveat({ kind: 'expires', atMs: T0 + s * 1000 })),
      fc.subarray(['GET', 'POST', 'DELETE'], { minLength: 1 }).map((m) => formatCaveat({ kind: 'method', methods: m })),
      fc.constantFrom('space = s1', 'space = s2', 'bogus = 1'),
    );
    const before = effectiveRights(base);
    assert.ok(before.ok);
    fc.assert(fc.property(fc.array(caveatArb, { maxLength: 8 }), (extra) => {
      const after = effectiveRights([...base, ...extra]);
      if (!after.ok) return true; // refusing is never wider
      assert.equal(after.rights.spaceId, 's1');
      assert.ok(after.rights.permissions.every((p) => before.rights.permissions.includes(p)));
      assert.ok(after.rights.expiresAtMs <= before.rights.expiresAtMs);
      return true;
    }));
  });
});

describe('offline attenuation', () => {
  const key = Buffer.alloc(32, 7);
  const token = mintToken(key, { keyId: 'capability-root-k1', capabilityId: 'c1' }, base);

  it('adds caveats without the key, and the result still verifies under the server key', () => {
    const narrowed = attenuateCapability(token, { permissions: ['read'], expiresInSeconds: 60, methods: ['get'] }, T0);
    assert.deepEqual(readCaveats(narrowed), [...base, 'permissions = read', `expires < ${new Date(T0 + 60_000).toISOString()}`, 'method = GET']);
    const verified = verifySignature(decodeToken(narrowed), key);
    assert.ok(verified.ok);
    const rights = effectiveRights(verified.caveats);
    assert.ok(rights.ok);
    assert.deepEqual(rights.rights.permissions, ['read']);
  });

  it('refuses an attenuation that adds nothing, and input that is not a token', () => {
    assert.throws(() => attenuateCapability(token, {}, T0), AttenuationError);
    assert.throws(() => attenuateCapability(token, { expiresInSeconds: 0 }, T0), AttenuationError);
    assert.throws(() => attenuateCapability('not-a-token', { permissions: ['read'] }, T0), AttenuationError);
  });
});
