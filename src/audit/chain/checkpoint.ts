import { createHmac } from 'node:crypto';
import type { ChainKey, ChainLink, KeyLookup } from './chain.ts';
import { sameMac } from './verifyChain.ts';

/**
 * A signed statement "the audit log reached record `seq` with MAC `mac` at `time`". Kept
 * outside the server (a ticket, another machine, a printout), it lets `audit verify` notice
 * that records were cut from the end of the log, which no chain can show by itself.
 * Pruning also stores one in the database as the anchor the remaining chain starts from.
 *
 * Signed with HMAC-SHA256 under the 'audit-mac' key (domain-separated from record MACs),
 * not Ed25519: whoever verifies the chain needs that key anyway, so a public-key signature
 * would let nobody verify anything more, and it would need a new key purpose in every
 * deployment's keyring. What makes a checkpoint useful is that a copy lives elsewhere.
 */
export interface Checkpoint extends ChainLink {
  readonly v: 1;
  /** When it was taken, ISO 8601 UTC. */
  readonly time: string;
  readonly keyId: string;
  readonly sig: string;
}

const DOMAIN = 'gatehouse-audit-checkpoint-v1';

function signature(key: Buffer, link: ChainLink, time: string, keyId: string): string {
  return createHmac('sha256', key).update(JSON.stringify([DOMAIN, link.seq, link.mac, time, keyId])).digest('base64url');
}

/** Signs a checkpoint for `link`, taken at `nowMs`. */
export function createCheckpoint(key: ChainKey, link: ChainLink, nowMs: number): Checkpoint {
  const time = new Date(nowMs).toISOString();
  return { v: 1, seq: link.seq, mac: link.mac, time, keyId: key.id, sig: signature(key.key, link, time, key.id) };
}

/** True when the checkpoint was signed by a key of this keyring and is unchanged. */
export function checkpointIsAuthentic(checkpoint: Checkpoint, keyFor: KeyLookup): boolean {
  const key = keyFor(checkpoint.keyId);
  return key !== undefined && sameMac(checkpoint.sig, signature(key, checkpoint, checkpoint.time, checkpoint.keyId));
}

/** Parses the one-line JSON form `audit checkpoint` prints; throws a plain message if it is not one. */
export function parseCheckpoint(text: string): Checkpoint {
  let data: unknown;
  try {
    data = JSON.parse(text.trim());
  } catch {
    throw new Error('not a checkpoint: expected the JSON line printed by "gatehouse audit checkpoint"');
  }
  const c = data as Record<string, unknown>;
  const valid = c && c.v === 1 && Number.isSafeInteger(c.seq) && (c.seq as number) >= 0 && typeof c.mac === 'string'
    && typeof c.time === 'string' && typeof c.keyId === 'string' && typeof c.sig === 'string';
  if (!valid) throw new Error('not a checkpoint: fields v, seq, mac, time, keyId and sig are required');
  return { v: 1, seq: c.seq as number, mac: c.mac as string, time: c.time as string, keyId: c.keyId as string, sig: c.sig as string };
}

/** The one-line form to keep elsewhere. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  return JSON.stringify(checkpoint);
}
