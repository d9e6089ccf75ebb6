import { createHmac } from 'node:crypto';
import { constantTimeEqual, newId } from '../../crypto/random.ts';
import type { Keyring } from '../../crypto/keyring.ts';

/** Set after a complete login (password and, if on, second factor); lets this browser past an account lockout. */
export const DEVICE_COOKIE = '__Host-gh_device';
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;

/**
 * Trusted-device cookies (OWASP "device cookies" against account lockout): `<deviceId>.<mac>`,
 * the MAC binding the device id to the account name under the keyring's CSRF key with its own
 * label. Stateless; a stolen one gives only its own throttle budget, and still needs the
 * password and second factor.
 */
export function issueDeviceCookie(keyring: Keyring, username: string, deviceId: string = newId()): string {
  return `${deviceId}.${mac(keyring, username, deviceId)}`;
}

/** The device id if `cookie` is a valid device cookie for `username`; otherwise undefined. */
export function verifyDeviceCookie(keyring: Keyring, username: string, cookie: string | undefined): string | undefined {
  if (!cookie || cookie.length > 200) return undefined;
  const dot = cookie.indexOf('.');
  if (dot <= 0) return undefined;
  const deviceId = cookie.slice(0, dot);
  return constantTimeEqual(cookie.slice(dot + 1), mac(keyring, username, deviceId)) ? deviceId : undefined;
}

function mac(keyring: Keyring, username: string, deviceId: string): string {
  return createHmac('sha256', keyring.current('csrf').key).update(`device:${username.toLowerCase()}:${deviceId}`).digest('base64url');
}
