import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkThreats, type CheckInput } from '../../src/threatmodel/checkThreats.ts';
import type { DeclaredControl } from '../../src/threatmodel/collectControls.ts';
import { generateThreats } from '../../src/threatmodel/generateThreats.ts';
import type { RegisterEntry } from '../../src/threatmodel/register.ts';
import type { LiveRoute } from '../../src/threatmodel/routeDrift.ts';
import { DEFAULT_RULES } from '../../src/threatmodel/rules.ts';
import type { TestStatus } from '../../src/threatmodel/testReport.ts';
import { smallModel } from './fixtures.ts';

const threats = generateThreats(smallModel, DEFAULT_RULES);
const CONTROL: DeclaredControl = { id: 'tls', title: 'TLS', implementedIn: ['src/tls.ts'], declaredIn: 'src/controls.ts' };
const TEST = 'test/tls.test.ts > TLS > refuses TLS 1.1';
const ROUTES: LiveRoute[] = [
  { method: 'GET', url: '/v1/things', audience: 'authenticated' },
  { method: 'HEAD', url: '/v1/things', audience: 'authenticated' },
  { method: 'DELETE', url: '/v1/things/:id', audience: 'authenticated' },
  { method: 'POST', url: '/v1/login', audience: 'public' },
];

/** Every boundary-crossing threat mitigated by the one control and the one test. */
function passingInput(): CheckInput {
  const register: RegisterEntry[] = threats.filter((t) => t.crossedBoundaries.length > 0)
    .map((t) => ({ threat: t.id, status: 'mitigated', justification: 'TLS', controls: ['tls'], tests: [TEST] }));
  return {
    model: smallModel,
    threats,
    register,
    controls: [CONTROL],
    tests: new Map<string, TestStatus>([[TEST, 'pass']]),
    routes: ROUTES,
    fileExists: (file) => file === 'src/tls.ts',
  };
}

const codes = (input: CheckInput) => [...new Set(checkThreats(input).map((f) => f.code))].sort();

describe('threats check', () => {
  it('passes when every crossing threat has a declared control and a passing test', () => {
    assert.deepEqual(checkThreats(passingInput()), []);
  });

  it('fails when a linked test is deleted (did not run)', () => {
    assert.deepEqual(codes({ ...passingInput(), tests: new Map() }), ['test-not-run']);
  });

  it('fails when a linked test failed or was skipped', () => {
    assert.deepEqual(codes({ ...passingInput(), tests: new Map([[TEST, 'fail' as const]]) }), ['test-not-passed']);
    assert.deepEqual(codes({ ...passingInput(), tests: new Map([[TEST, 'skip' as const]]) }), ['test-not-passed']);
  });

  it('fails when a control is deleted, or its implementing file is', () => {
    assert.deepEqual(codes({ ...passingInput(), controls: [] }), ['unknown-control']);
    assert.deepEqual(codes({ ...passingInput(), fileExists: () => false }), ['control-file-missing']);
  });

  it('fails when a crossing threat is open, explicitly or by having no entry', () => {
    const input = passingInput();
    const [first, ...rest] = input.register;
    assert.deepEqual(codes({ ...input, register: rest }), ['open-crossing-threat']);
    assert.deepEqual(codes({ ...input, register: [{ ...first!, status: 'open' }, ...rest] }), ['open-crossing-threat']);
  });

  it('fails a boundary-crossing threat marked not-applicable, but allows it off the crossings', () => {
    const input = passingInput();
    const [first, ...rest] = input.register;
    const findings = checkThreats({ ...input, register: [{ ...first!, status: 'not-applicable' }, ...rest] });
    assert.deepEqual(findings.map((f) => f.code), ['not-applicable-crossing-threat']);
    assert.match(findings[0]!.message, new RegExp(first!.threat));
    const inside = threats.find((t) => t.crossedBoundaries.length === 0)!;
    assert.deepEqual(codes({ ...input, register: [...input.register, { threat: inside.id, status: 'not-applicable', justification: 'no such exposure' }] }), []);
  });

  it('accepts an accepted risk with a reason, but not without one', () => {
    const input = passingInput();
    const [first, ...rest] = input.register;
    assert.deepEqual(codes({ ...input, register: [{ threat: first!.threat, status: 'accepted', justification: 'low value' }, ...rest] }), []);
    assert.deepEqual(codes({ ...input, register: [{ threat: first!.threat, status: 'accepted', justification: ' ' }, ...rest] }), ['no-justification']);
  });

  it('fails on a mitigation without evidence, an orphan entry or a duplicate entry', () => {
    const input = passingInput();
    const [first, ...rest] = input.register;
    assert.deepEqual(codes({ ...input, register: [{ ...first!, tests: [] }, ...rest] }), ['no-evidence']);
    assert.deepEqual(codes({ ...input, register: [...input.register, { threat: 'TM-0000000000', status: 'accepted', justification: 'x' }] }), ['orphan-entry']);
    assert.deepEqual(codes({ ...input, register: [first!, ...input.register] }), ['duplicate-entry']);
  });

  it('fails when a live route is carried by no modelled flow', () => {
    const findings = checkThreats({ ...passingInput(), routes: [...ROUTES, { method: 'GET', url: '/v1/other', audience: 'authenticated' }] });
    assert.deepEqual(findings.map((f) => f.message), ['route GET /v1/other is carried by no modelled flow']);
  });

  it('fails when a flow modelled as authenticated carries a public route', () => {
    const routes = ROUTES.map((r) => (r.method === 'DELETE' ? { ...r, audience: 'public' as const } : r));
    const findings = checkThreats({ ...passingInput(), routes });
    assert.deepEqual(findings.map((f) => f.code), ['route-drift']);
    assert.match(findings[0]!.message, /"user-web" is modelled as authenticated but carries public route DELETE \/v1\/things\/:id/);
  });

  it('fails when a modelled route group matches no live route', () => {
    const findings = checkThreats({ ...passingInput(), routes: ROUTES.filter((r) => r.url !== '/v1/login') });
    assert.deepEqual(findings.map((f) => f.message), ['flow "user-web-public": route group "POST /v1/login" matches no live route']);
  });
});
