import { randomBytes } from 'node:crypto';
import { hashSecret } from '../../crypto/random.ts';

export const RECOVERY_CODE_COUNT = 10;

// Crockford-style alphabet without look-alikes (no I, L, O, U).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A recovery code: 16 characters of a 32-symbol alphabet = 80 random bits, shown as
 * `XXXX-XXXX-XXXX-XXXX`. 80 bits cannot be brute-forced from a stolen hash, so a fast
 * hash is enough for storage (as for tokens), and login does not pay ten argon2 hashes.
 */
export function generateRecoveryCode(): string {
  const bytes = randomBytes(16);
  let code = '';
  for (let i = 0; i < 16; i++) code += ALPHABET[bytes[i]! & 31];
  return code.match(/.{4}/g)!.join('-');
}

/** Upper case, separators and spaces removed: what the user typed, as it was generated. */
export function normalizeRecoveryCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}

/** The stored form of a code. */
export function hashRecoveryCode(typed: string): string {
  return hashSecret(`recovery:${normalizeRecoveryCode(typed)}`);
}

/** Whether the input has the shape of a recovery code (as opposed to a TOTP code). */
export function looksLikeRecoveryCode(typed: string): boolean {
  return /^[0-9A-Z]{16}$/.test(normalizeRecoveryCode(typed));
}
