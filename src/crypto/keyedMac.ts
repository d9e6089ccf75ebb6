import { createHmac } from 'node:crypto';
import type { KeyEntry, Keyring, KeyPurpose } from './keyring.ts';
import { constantTimeEqual } from './random.ts';

/**
 * Stateless MACs that survive key rotation: `<keyId>.<mac>`, HMAC-SHA256 over `message`.
 * New tags use the purpose's current key; a tag verifies under any key of that purpose still
 * in the keyring, so `gatehouse keys rotate` does not invalidate what was issued before it.
 * Key ids and MACs are base64url (no dots), so the tag splits unambiguously.
 */
export function signWithKeyId(keyring: Keyring, purpose: KeyPurpose, message: string): string {
  const key = keyring.current(purpose);
  return `${key.id}.${hmac(key, message)}`;
}

/** Whether `tag` is a valid `<keyId>.<mac>` for `message` under a key of `purpose` (constant-time MAC compare). */
export function verifyWithKeyId(keyring: Keyring, purpose: KeyPurpose, message: string, tag: string): boolean {
  const dot = tag.indexOf('.');
  if (dot <= 0 || tag.length > 200) return false;
  // The key id is not secret: choosing the key by it leaks nothing; the MAC compare is constant-time.
  const key = keyring.byIdFor(purpose, tag.slice(0, dot));
  if (!key) return false;
  return constantTimeEqual(tag.slice(dot + 1), hmac(key, message));
}

function hmac(key: KeyEntry, message: string): string {
  return createHmac('sha256', key.key).update(message).digest('base64url');
}
