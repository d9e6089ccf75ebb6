import { dictionary } from '@zxcvbn-ts/language-common';
import { GatehouseError } from '../errors/GatehouseError.ts';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

// The zxcvbn-ts list of ~49,000 most common passwords (MIT), bundled through npm.
const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/**
 * True for a well-known password, also when it is only padded with digits or symbols
 * ("password1234!") or repeated ("qwertyqwerty").
 */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return true;
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, '');
  if (core.length >= 3 && COMMON.has(core)) return true;
  const half = lower.length / 2;
  if (Number.isInteger(half) && lower.slice(0, half) === lower.slice(half) && COMMON.has(lower.slice(0, half))) return true;
  return /^(.)\1+$/u.test(lower); // u: a repeated emoji is one character repeated, not two alternating halves
}

/** Length in user-perceived units (code points), as JSON Schema counts. */
function codePoints(s: string): number {
  return [...s].length;
}

/** NIST SP 800-63B-style rules: length 12–256, not the username, not a known common password. */
export function checkPasswordPolicy(username: string, password: string): void {
  const length = codePoints(password);
  const reject = (detail: string) =>
    new GatehouseError('weak_password', { detail, extras: { field: 'password' }, auditReason: `password policy: ${detail}` });
  if (length < PASSWORD_MIN_LENGTH) throw reject(`The password must have at least ${PASSWORD_MIN_LENGTH} characters`);
  if (length > PASSWORD_MAX_LENGTH) throw reject(`The password must have at most ${PASSWORD_MAX_LENGTH} characters`);
  const lower = password.toLowerCase();
  if (lower.includes(username.toLowerCase())) throw reject('The password must not contain the username');
  if (isCommonPassword(password)) throw reject('The password is too common; choose another');
}
