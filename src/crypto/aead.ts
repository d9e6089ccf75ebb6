import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring, KeyPurpose } from './keyring.ts';

/**
 * Authenticated encryption of values stored at rest (AES-256-GCM from node:crypto).
 * The stored form is `v1.<keyId>.<iv>.<ciphertext+tag>` (base64url parts): the key id lets
 * rotation keep old values readable. `associatedData` binds a ciphertext to where it lives
 * (e.g. `messages.text:<id>`), so a value copied to another row or column fails to decrypt.
 */
export function encryptValue(keyring: Keyring, purpose: KeyPurpose, plaintext: string, associatedData: string): string {
  const key = keyring.current(purpose);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.${key.id}.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

/** Thrown when a stored value cannot be decrypted: unknown key, tampering, or moved between rows. */
export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

/** Decrypts a value made by encryptValue with the same purpose and associated data. */
export function decryptValue(keyring: Keyring, purpose: KeyPurpose, stored: string, associatedData: string): string {
  const [version, keyId, ivText, bodyText, ...rest] = stored.split('.');
  if (version !== 'v1' || !keyId || !ivText || !bodyText || rest.length > 0) throw new DecryptionError('not an encrypted value');
  const key = keyring.byId(keyId);
  if (!key || key.purpose !== purpose) throw new DecryptionError(`unknown ${purpose} key ${keyId}`);
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (iv.length !== 12 || body.length < 16) throw new DecryptionError('malformed encrypted value');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError('integrity check failed (tampered, or moved from another row)');
  }
}

/** The key id a stored value was encrypted with (for re-encryption after rotation). */
export function keyIdOf(stored: string): string | undefined {
  return stored.startsWith('v1.') ? stored.split('.')[1] : undefined;
}
