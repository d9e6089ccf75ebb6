// The pure audit chain (src/audit/chain): a valid chain verifies, and every single edit an
// attacker without the key can make (change a field, delete, insert, reorder, cut the tail
// below a checkpoint) is detected and located. Property-based with fast-check.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { chainRecords, GENESIS, type ChainedRecord, type ChainKey } from '../../src/audit/chain/chain.ts';
import { checkpointIsAuthentic, createCheckpoint, formatCheckpoint, parseCheckpoint } from '../../src/audit/chain/checkpoint.ts';
import { verifyChain } from '../../src/audit/chain/verifyChain.ts';
import { auditRecordArb, sampleRecord } from './chainRecords.ts';

const keyA: ChainKey = { id: 'audit-mac-A', key: randomBytes(32) };
const keyB: ChainKey = { id: 'audit-mac-B', key: randomBytes(32) };
const keyFor = (id: string) => [keyA, keyB].find((k) => k.id === id)?.key;
const chainArb = fc.array(auditRecordArb, { minLength: 2, maxLength: 25 }).map((rs) => chainRecords(keyA, GENESIS, rs));
const FIELDS = ['time', 'requestId', 'phase', 'actor', 'actorType', 'authMethod', 'clientAddress', 'userAgent', 'method', 'route', 'resource', 'outcome', 'reason', 'status', 'keyId'] as const;

describe('audit chain (pure)', () => {
  it('verifies an untouched chain of any records, and counts them', () => {
    fc.assert(fc.property(chainArb, (chain) => {
      const result = verifyChain(chain, { keyFor });
      assert.equal(result.ok, true, result.problem);
      assert.equal(result.checked, chain.length);
      assert.deepEqual(result.last, { seq: chain.length, mac: chain.at(-1)!.mac });
    }));
  });

  it('detects a change to any field of any record and names that record', () => {
    fc.assert(fc.property(chainArb, fc.nat(), fc.constantFrom(...FIELDS), fc.string({ minLength: 1, maxLength: 5 }), (chain, at, field, junk) => {
      const i = at % chain.length;
      const original = chain[i]!;
      const changed = field === 'time' || field === 'status' ? Number(original[field] ?? 0) + 1 : `${String(original[field])}${junk}`;
      const tampered = chain.map((r, j) => (j === i ? { ...r, [field]: changed } : r));
      const result = verifyChain(tampered, { keyFor });
      assert.equal(result.ok, false);
      assert.equal(result.firstBadId, String(original.seq));
    }));
  });

  it('detects a deleted record, also when the later ones are renumbered to close the gap', () => {
    fc.assert(fc.property(chainArb, fc.nat(), fc.boolean(), (chain, at, renumber) => {
      const i = at % (chain.length - 1); // not the last one: that is truncation, below
      const rest = chain.filter((_, j) => j !== i);
      const tampered = renumber ? rest.map((r, j) => ({ ...r, seq: j + 1 })) : rest;
      const result = verifyChain(tampered, { keyFor });
      assert.equal(result.ok, false);
      assert.equal(result.firstBadId, String(renumber ? i + 1 : i + 2));
    }));
  });

  it('detects an inserted record, whatever MAC the forger gives it', () => {
    fc.assert(fc.property(chainArb, fc.nat(), auditRecordArb, fc.string(), (chain, at, extra, mac) => {
      const i = at % (chain.length + 1);
      const forged: ChainedRecord = { ...extra, seq: i + 1, keyId: keyA.id, mac };
      const tampered = [...chain.slice(0, i), forged, ...chain.slice(i).map((r) => ({ ...r, seq: r.seq + 1 }))];
      const result = verifyChain(tampered, { keyFor });
      assert.equal(result.ok, false);
      assert.equal(result.firstBadId, String(i + 1));
    }));
  });

  it('detects two records swapped (contents and MACs moved between positions)', () => {
    fc.assert(fc.property(chainArb, fc.nat(), fc.nat(), (chain, a, b) => {
      const i = a % chain.length;
      const j = b % chain.length;
      fc.pre(i !== j);
      const [lo, hi] = [Math.min(i, j), Math.max(i, j)];
      const tampered = chain.map((r, k) => (k === lo ? { ...chain[hi]!, seq: r.seq } : k === hi ? { ...chain[lo]!, seq: r.seq } : r));
      const result = verifyChain(tampered, { keyFor });
      assert.equal(result.ok, false);
      assert.equal(result.firstBadId, String(lo + 1));
    }));
  });

  it('detects records cut from the end against a checkpoint taken earlier, and only then', () => {
    fc.assert(fc.property(chainArb, fc.integer({ min: 1, max: 24 }), (chain, cut) => {
      fc.pre(cut < chain.length);
      const checkpoint = createCheckpoint(keyA, chain.at(-1)!, 0);
      const truncated = chain.slice(0, chain.length - cut);
      assert.equal(verifyChain(truncated, { keyFor }).ok, true, 'without a checkpoint a cut tail is invisible: hence checkpoints');
      const result = verifyChain(truncated, { keyFor, checkpoints: [checkpoint] });
      assert.equal(result.ok, false);
      assert.equal(result.firstBadId, String(truncated.length + 1));
      assert.equal(verifyChain(chain, { keyFor, checkpoints: [checkpoint] }).ok, true);
    }));
  });

  it('detects a log rewritten by someone holding the key, at the checkpoint it contradicts', () => {
    const chain = chainRecords(keyA, GENESIS, [0, 1, 2, 3, 4].map((i) => sampleRecord(i)));
    const checkpoint = createCheckpoint(keyA, chain[2]!, 0);
    const rewritten = chainRecords(keyA, GENESIS, [0, 1, 2, 3, 4].map((i) => sampleRecord(i, i === 1 ? { actor: 'mallory' } : {})));
    assert.equal(verifyChain(rewritten, { keyFor }).ok, true);
    const result = verifyChain(rewritten, { keyFor, checkpoints: [checkpoint] });
    assert.equal(result.ok, false);
    assert.equal(result.firstBadId, '3');
  });

  it('keeps records verifiable across a key rotation (key id per record), and rejects unknown keys', () => {
    const first = chainRecords(keyA, GENESIS, [0, 1, 2].map((i) => sampleRecord(i)));
    const second = chainRecords(keyB, first.at(-1)!, [3, 4].map((i) => sampleRecord(i)));
    const chain = [...first, ...second];
    assert.deepEqual(chain.map((r) => r.keyId), ['audit-mac-A', 'audit-mac-A', 'audit-mac-A', 'audit-mac-B', 'audit-mac-B']);
    assert.equal(verifyChain(chain, { keyFor }).ok, true);
    const withoutA = verifyChain(chain, { keyFor: (id) => (id === keyB.id ? keyB.key : undefined) });
    assert.equal(withoutA.ok, false);
    assert.equal(withoutA.firstBadId, '1');
    assert.match(withoutA.problem!, /unknown audit key/);
  });

  it('starts from a prune anchor: records before it are missing on purpose, a record before it is not allowed', () => {
    const chain = chainRecords(keyA, GENESIS, [0, 1, 2, 3, 4].map((i) => sampleRecord(i)));
    const anchor = chain[1]!;
    assert.equal(verifyChain(chain.slice(2), { keyFor, start: anchor }).ok, true);
    assert.equal(verifyChain(chain.slice(2), { keyFor }).firstBadId, '3', 'without the anchor, the head is missing');
    assert.equal(verifyChain(chain.slice(1), { keyFor, start: anchor }).firstBadId, '2');
  });

  it('signs checkpoints: a round trip through text verifies, any change does not', () => {
    const checkpoint = createCheckpoint(keyA, { seq: 42, mac: 'abc' }, Date.parse('2026-11-22T12:00:00Z'));
    const parsed = parseCheckpoint(formatCheckpoint(checkpoint));
    assert.deepEqual(parsed, checkpoint);
    assert.equal(parsed.time, '2026-11-22T12:00:00.000Z');
    assert.equal(checkpointIsAuthentic(parsed, keyFor), true);
    for (const forged of [{ ...parsed, seq: 41 }, { ...parsed, mac: 'abd' }, { ...parsed, time: '2026-11-22T12:00:01.000Z' }, { ...parsed, keyId: keyB.id }]) {
      assert.equal(checkpointIsAuthentic(forged, keyFor), false);
    }
    assert.throws(() => parseCheckpoint('{"v":1,"seq":"x"}'), /fields v, seq/);
    assert.throws(() => parseCheckpoint('not json'), /not a checkpoint/);
  });
});
