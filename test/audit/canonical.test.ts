// The canonical form defines every stored MAC: making it faster must not change one byte of
// it, or stored chains stop verifying. Two checks: the format's own vectors (MACs computed by
// the first implementation, test/fixtures/audit-chain-v1-vectors.json) are reproduced and
// verify, and canonicalRecord equals its definition, JSON.stringify of the fixed-order array,
// for any record, including strings JSON has to escape and numbers it writes as null.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AuditRecord } from '../../src/audit/AuditRecord.ts';
import { canonicalRecord, chainRecords, recordMac, type ChainedRecord, type ChainLink } from '../../src/audit/chain/chain.ts';
import { verifyChain } from '../../src/audit/chain/verifyChain.ts';

interface VectorChain { name: string; start: ChainLink; records: ChainedRecord[] }
const vectors = JSON.parse(readFileSync(new URL('../fixtures/audit-chain-v1-vectors.json', import.meta.url), 'utf8')) as { key: string; keyId: string; chains: VectorChain[] };
const key = Buffer.from(vectors.key, 'hex');
const keyFor = (id: string) => (id === vectors.keyId ? key : undefined);

/** The definition of the canonical form (gatehouse-audit-v1). */
function definition(r: AuditRecord, seq: number, keyId: string): string {
  return JSON.stringify([
    'gatehouse-audit-v1', seq, keyId, r.time, r.requestId, r.phase, r.actor, r.actorType, r.authMethod, r.clientAddress,
    r.userAgent, r.method, r.route, r.resource, r.outcome, r.reason, r.status,
  ]);
}

// Any UTF-16 string: lone surrogates, control characters, quotes and backslashes included.
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('', '"', '\\', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', '\udfff', '😀', 'a\ud83d'));
const anyNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e21, 5e-7, Number.MAX_SAFE_INTEGER + 2));
const anyRecord = fc.record({
  time: anyNumber, requestId: anyText, phase: anyText, actor: anyText, actorType: anyText, authMethod: anyText, clientAddress: anyText,
  userAgent: anyText, method: anyText, route: anyText, resource: anyText, outcome: anyText, reason: anyText, status: fc.option(anyNumber, { nil: null }),
}) as fc.Arbitrary<unknown> as fc.Arbitrary<AuditRecord>;

describe('audit chain canonical form (gatehouse-audit-v1)', () => {
  for (const chain of vectors.chains) {
    it(`reproduces the format's vector MACs: ${chain.name}`, () => {
      let previous = chain.start.mac;
      for (const record of chain.records) {
        assert.equal(recordMac(key, previous, record, record.seq, record.keyId!), record.mac, `record ${record.seq}`);
        previous = record.mac!;
      }
      const rechained = chainRecords({ id: vectors.keyId, key }, chain.start, chain.records.map(({ seq: _s, keyId: _k, mac: _m, ...r }) => r));
      assert.deepEqual(rechained.map((r) => r.mac), chain.records.map((r) => r.mac));
      const result = verifyChain(chain.records, { keyFor, start: chain.start });
      assert.equal(result.ok, true, result.problem);
      assert.equal(result.checked, chain.records.length);
    });
  }

  it('is exactly JSON.stringify of the fixed-order array, for any field values', () => {
    fc.assert(fc.property(anyRecord, fc.integer({ min: 0 }), anyText, (record, seq, keyId) => {
      assert.equal(canonicalRecord(record, seq, keyId), definition(record, seq, keyId));
    }), { numRuns: 2000 });
  });

  it('is JSON.stringify also for values outside the types (undefined, booleans, objects)', () => {
    const odd = { time: undefined, requestId: true, phase: { toJSON: () => 'x' }, actor: [1, '"'], status: false } as unknown as Partial<AuditRecord>;
    const record = { ...(vectors.chains[0]!.records[0]!), ...odd } as AuditRecord;
    assert.equal(canonicalRecord(record, 1, 'k'), definition(record, 1, 'k'));
  });
});
