import { newId } from '../../crypto/random.ts';
import { signWithKeyId, verifyWithKeyId } from '../../crypto/keyedMac.ts';
import type { Keyring } from '../../crypto/keyring.ts';

/** Set after a complete login (password and, if on, second factor); lets this browser past an account lockout. */
export const DEVICE_COOKIE = '__Host-gh_device';
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;

/**
 * Trusted-device cookies (OWASP "device cookies" against account lockout):
 * `<deviceId>.<keyId>.<mac>`, the MAC binding the device id to the account name under the
 * keyring's own `device-cookie` key (keyedMac.ts). Stateless; the key id lets a cookie issued
 * before `gatehouse keys rotate device-cookie` keep working for its year. A stolen one gives
 * only its own throttle budget, and still needs the password and second factor.
 */
export function issueDeviceCookie(keyring: Keyring, username: string, deviceId: string = newId()): string {
  return `${deviceId}.${signWithKeyId(keyring, 'device-cookie', message(username, deviceId))}`;
}

/** The device id if `cookie` is a valid device cookie for `username`; otherwise undefined. */
export function verifyDeviceCookie(keyring: Keyring, username: string, cookie: string | undefined): string | undefined {
  if (!cookie || cookie.length > 200) return undefined;
  const dot = cookie.indexOf('.');
  if (dot <= 0) return undefined;
  const deviceId = cookie.slice(0, dot);
  return verifyWithKeyId(keyring, 'device-cookie', message(username, deviceId), cookie.slice(dot + 1)) ? deviceId : undefined;
}

function message(username: string, deviceId: string): string {
  return `device:${username.toLowerCase()}:${deviceId}`;
}
