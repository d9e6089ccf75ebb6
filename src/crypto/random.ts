import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random identifier (96 bits, base64url): unguessable, so ids leak no counts or order. */
export function newId(): string {
  return randomBytes(12).toString('base64url');
}

/** A random secret of 256 bits, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Hash of a high-entropy secret for storage. A fast hash is right here (unlike passwords):
 * 256 random bits cannot be brute-forced, and lookups happen on every request.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Constant-time string equality (lengths may leak; contents do not). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    // Compare anyway so the time does not depend on where a mismatch is.
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}
