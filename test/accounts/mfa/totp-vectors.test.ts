// The code that checks TOTP codes (verifyTotp), replayed against the RFC test vectors with the
// time passed in: RFC 6238 Appendix B (SHA1/SHA256/SHA512, 8 digits) and RFC 4226 Appendix D
// (HOTP counters 0–9: TOTP at T = count × 30 s is HOTP(count)).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Secret } from 'otpauth';
import { DEFAULT_TOTP_PARAMS, totpCodeAt, verifyTotp, type TotpParams } from '../../../src/accounts/mfa/totp.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));
const rfc6238 = fixture('rfc6238-appendix-b.json') as {
  digits: number; periodSeconds: number; seeds: Record<'SHA1' | 'SHA256' | 'SHA512', string>;
  vectors: ({ timeSeconds: number; step: string } & Record<'SHA1' | 'SHA256' | 'SHA512', string>)[];
};
const rfc4226 = fixture('rfc4226-appendix-d.json') as { secret: string; digits: number; values: { count: number; hotp: string }[] };
const base32 = (ascii: string) => Secret.fromLatin1(ascii).base32;

describe('RFC 6238 Appendix B vectors', () => {
  for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
    const params: TotpParams = { algorithm, digits: rfc6238.digits, periodSeconds: rfc6238.periodSeconds };
    const secret = base32(rfc6238.seeds[algorithm]);
    for (const v of rfc6238.vectors) {
      it(`${algorithm} at T=${v.timeSeconds}: ${v[algorithm]} is accepted at exactly its step`, () => {
        const nowMs = v.timeSeconds * 1000;
        assert.equal(verifyTotp(secret, v[algorithm], nowMs, params, 0), Number.parseInt(v.step, 16));
        assert.equal(totpCodeAt(secret, nowMs, params), v[algorithm]);
        // Two steps later it is outside the ±1 window.
        assert.equal(verifyTotp(secret, v[algorithm], nowMs + 2 * 30_000, params, 1), undefined);
      });
    }
  }
});

describe('RFC 4226 Appendix D vectors (HOTP = TOTP at T = count × 30 s)', () => {
  const secret = base32(rfc4226.secret);
  for (const { count, hotp } of rfc4226.values) {
    it(`count ${count}: ${hotp}`, () => {
      const nowMs = count * 30_000 + 15_000;
      assert.equal(verifyTotp(secret, hotp, nowMs, DEFAULT_TOTP_PARAMS, 0), count);
    });
  }

  it('±1 step: the previous and next counters are accepted with window 1 and report their own step', () => {
    const nowMs = 5 * 30_000;
    assert.equal(verifyTotp(secret, '338314', nowMs), 4);
    assert.equal(verifyTotp(secret, '287922', nowMs), 6);
    assert.equal(verifyTotp(secret, '162583', nowMs), undefined, 'count 7 is two steps away');
  });

  it('refuses codes of the wrong shape without comparing', () => {
    for (const bad of ['', '75522', '7552240', '75522a', ' 755224', '７５５２２４']) assert.equal(verifyTotp(secret, bad, 0), undefined);
  });
});
