import fc from 'fast-check';
import type { AuditRecord } from '../../src/audit/AuditRecord.ts';

/** Any audit record the pipeline could write (and some it would not: the chain must not care). */
export const auditRecordArb: fc.Arbitrary<AuditRecord> = fc.record({
  time: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  requestId: fc.uuid(),
  phase: fc.constantFrom('attempt', 'outcome'),
  actor: fc.string({ maxLength: 12 }),
  actorType: fc.constantFrom('user', 'capability', 'anonymous'),
  authMethod: fc.constantFrom('none', 'bearer', 'session', 'basic'),
  clientAddress: fc.oneof(fc.ipV4(), fc.ipV6()),
  userAgent: fc.string({ maxLength: 20 }),
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
  route: fc.string({ maxLength: 20 }),
  resource: fc.string({ maxLength: 20 }),
  outcome: fc.constantFrom('pending', 'allowed', 'denied', 'error'),
  reason: fc.string({ maxLength: 20 }),
  status: fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }),
});

/** A fixed, plausible record (for tests that need one, not many). */
export function sampleRecord(i: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    time: Date.parse('2026-11-22T12:00:00Z') + i * 1000,
    requestId: `req-${i}`,
    phase: i % 2 === 0 ? 'attempt' : 'outcome',
    actor: i % 3 === 0 ? 'alice' : 'bob',
    actorType: 'user',
    authMethod: 'bearer',
    clientAddress: '192.0.2.7',
    userAgent: 'test',
    method: 'POST',
    route: '/v1/spaces',
    resource: '/v1/spaces',
    outcome: i % 2 === 0 ? 'pending' : 'allowed',
    reason: '',
    status: i % 2 === 0 ? null : 201,
    ...overrides,
  };
}
