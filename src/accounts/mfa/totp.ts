import { Secret, TOTP } from 'otpauth';

/** Parameters of a TOTP generator (RFC 6238 §4); Gatehouse enrols SHA1/6 digits/30 s, what every authenticator app supports. */
export interface TotpParams {
  readonly algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  readonly digits: number;
  readonly periodSeconds: number;
}

export const DEFAULT_TOTP_PARAMS: TotpParams = { algorithm: 'SHA1', digits: 6, periodSeconds: 30 };

/** ±1 time step: tolerates clock drift and a code typed at the end of its step (RFC 6238 §5.2). */
export const TOTP_WINDOW = 1;

const ISSUER = 'Gatehouse';

/** A fresh 160-bit secret (RFC 4226 §4 recommends 160 bits), base32 as authenticator apps expect. */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans (Key Uri Format). */
export function otpauthUri(secretBase32: string, accountName: string, params: TotpParams = DEFAULT_TOTP_PARAMS): string {
  return totpFor(secretBase32, params, accountName).toString();
}

/**
 * Checks a code at time `nowMs` (passed in, so RFC vectors can be replayed) within ±`window`
 * steps. Returns the absolute time step the code belongs to, for single-use bookkeeping,
 * or undefined if the code is not valid now. Pure.
 */
export function verifyTotp(
  secretBase32: string,
  code: string,
  nowMs: number,
  params: TotpParams = DEFAULT_TOTP_PARAMS,
  window: number = TOTP_WINDOW,
): number | undefined {
  if (!new RegExp(`^\\d{${params.digits}}$`).test(code)) return undefined;
  const totp = totpFor(secretBase32, params);
  // otpauth compares in constant time across the window.
  const delta = totp.validate({ token: code, timestamp: nowMs, window });
  if (delta === null) return undefined;
  return totp.counter({ timestamp: nowMs }) + delta;
}

/** The code for time `nowMs` (tests and vectors). */
export function totpCodeAt(secretBase32: string, nowMs: number, params: TotpParams = DEFAULT_TOTP_PARAMS): string {
  return totpFor(secretBase32, params).generate({ timestamp: nowMs });
}

function totpFor(secretBase32: string, params: TotpParams, label = 'user'): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: params.algorithm,
    digits: params.digits,
    period: params.periodSeconds,
    secret: Secret.fromBase32(secretBase32),
  });
}
