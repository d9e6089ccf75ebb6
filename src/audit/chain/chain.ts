import { createHmac } from 'node:crypto';
import type { AuditRecord } from '../AuditRecord.ts';

/**
 * The audit hash chain (issue 5): every stored record carries
 *   mac = HMAC-SHA256(key, previousMac "\n" canonical(record, seq, keyId))
 * so changing, deleting, inserting or reordering any record breaks every MAC from there on,
 * and nobody without the keyring's 'audit-mac' key can recompute them. The key id is part
 * of each record (and of its MAC), so after a key rotation old records stay verifiable.
 * Pure functions: no clock, no I/O.
 */

/** A key by id, as the verifier needs it. */
export interface ChainKey {
  readonly id: string;
  readonly key: Buffer;
}

/** Looks a MAC key up by its id; undefined when the id is unknown (or not an audit key). */
export type KeyLookup = (keyId: string) => Buffer | undefined;

/** A position in the chain: the last record's sequence number and MAC. */
export interface ChainLink {
  readonly seq: number;
  readonly mac: string;
}

/** Where an empty log starts: sequence 0, empty MAC. */
export const GENESIS: ChainLink = Object.freeze({ seq: 0, mac: '' });

/** A record as stored: its place in the chain, the id of the key that MACed it, and the MAC. */
export interface ChainedRecord extends AuditRecord {
  readonly seq: number;
  /** Null only for records written before the chain existed (migration 002). */
  readonly keyId: string | null;
  readonly mac: string | null;
}

/** A record as the chain writes it: always with key id and MAC. */
export interface SealedRecord extends ChainedRecord {
  readonly keyId: string;
  readonly mac: string;
}

const VERSION = 'gatehouse-audit-v1';

/**
 * The canonical form of a record: a JSON array in a fixed order. JSON strings are
 * unambiguous (no field can leak into the next), and the sequence number is inside, so a
 * record cannot be moved to another position without its MAC changing.
 */
export function canonicalRecord(record: AuditRecord, seq: number, keyId: string): string {
  return JSON.stringify([
    VERSION, seq, keyId, record.time, record.requestId, record.phase, record.actor, record.actorType,
    record.authMethod, record.clientAddress, record.userAgent, record.method, record.route,
    record.resource, record.outcome, record.reason, record.status,
  ]);
}

/**
 * What a record's MAC covers: the previous MAC, a newline, the canonical form. One string,
 * hashed as UTF-8: the same bytes as hashing the three parts one after the other (no
 * surrogate pair can straddle the newline), so the parallel checker (macCheckWorker.ts) and
 * recordMac hash exactly the same input.
 */
export function macInput(previousMac: string, record: AuditRecord, seq: number, keyId: string): string {
  return `${previousMac}\n${canonicalRecord(record, seq, keyId)}`;
}

/** The MAC of a record that follows `previousMac` (base64url, 43 characters). */
export function recordMac(key: Buffer, previousMac: string, record: AuditRecord, seq: number, keyId: string): string {
  return createHmac('sha256', key).update(macInput(previousMac, record, seq, keyId)).digest('base64url');
}

/** Chains a batch after `previous`: consecutive sequence numbers, each MAC over the one before. */
export function chainRecords(key: ChainKey, previous: ChainLink, records: readonly AuditRecord[]): SealedRecord[] {
  const out: SealedRecord[] = [];
  let link = previous;
  for (const record of records) {
    const seq = link.seq + 1;
    const mac = recordMac(key.key, link.mac, record, seq, key.id);
    out.push(sealed(record, seq, key.id, mac));
    link = { seq, mac };
  }
  return out;
}

/**
 * The stored record: the AuditRecord fields (only those: they are what the MAC covers) and
 * the chain's. Written out rather than spread: `{ ...record }` cost as much as the MAC.
 */
function sealed(r: AuditRecord, seq: number, keyId: string, mac: string): SealedRecord {
  return {
    time: r.time, requestId: r.requestId, phase: r.phase, actor: r.actor, actorType: r.actorType, authMethod: r.authMethod,
    clientAddress: r.clientAddress, userAgent: r.userAgent, method: r.method, route: r.route, resource: r.resource,
    outcome: r.outcome, reason: r.reason, status: r.status, seq, keyId, mac,
  };
}
