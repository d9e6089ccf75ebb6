import { hash, verify } from '@node-rs/argon2';
import { GatehouseError } from '../errors/GatehouseError.ts';

/** OWASP's argon2id parameters (m=19 MiB, t=2, p=1): ~7 ms per hash on this machine (PERF-NOTES.md). */
// algorithm 2 is Argon2id (the binding's `Algorithm` is a const enum, which verbatimModuleSyntax cannot import).
export const ARGON2_PARAMS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * How many password hashes may run at once on a machine with `cores` usable cores: half of
 * them, at least one. Why: each hash is a thread busy for ~7 ms; with more hashing threads
 * than spare cores, a credential-stuffing flood (every attempt a new name and address, so no
 * throttle stops it) takes the event loop's core too. Measured (bench under-attack, one
 * server core): two concurrent hashes let the legitimate user's p99 grow ~10×, one ~3–7×.
 */
export function hashingConcurrencyFor(cores: number): number {
  return Math.max(1, Math.floor(cores / 2));
}

/**
 * Bounds how many password hashes run at once, so a login flood cannot starve every other
 * request of CPU: beyond `maxConcurrent` running and `maxQueued` waiting, callers get 503.
 */
export class HashingGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly maxConcurrent = 2,
    private readonly maxQueued = 64,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrent) {
      if (this.waiting.length >= this.maxQueued) {
        throw new GatehouseError('overloaded', {
          detail: 'Too many password checks in progress; retry shortly',
          auditReason: 'password hashing queue full',
          headers: { 'retry-after': '1' },
        });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** Hashes a password with argon2id and a fresh random salt; returns the PHC string. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS);
}

/** Checks a password against a PHC string; false (never throws) on any mismatch or bad hash. */
export async function verifyPasswordHash(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

/**
 * Whether a stored hash was made with other parameters than today's (ARGON2_PARAMS), so the
 * next successful login should rehash the password. Pure: reads the PHC string's header.
 */
export function needsRehash(phc: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
  if (!m) return true;
  return Number(m[1]) !== ARGON2_PARAMS.memoryCost || Number(m[2]) !== ARGON2_PARAMS.timeCost || Number(m[3]) !== ARGON2_PARAMS.parallelism;
}
