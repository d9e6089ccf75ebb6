// The gate on Gatehouse's REAL model and register (issue 8, done-when): deleting one declared
// control, or one linked test, makes `checkThreats` fail naming the threat it was evidence for.
// The test report is made up in memory (every linked test passed) so that this holds whatever
// else the suite's run is doing; `gatehouse threats check` in CI reads the real one.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { before, describe, it } from 'node:test';
import { checkThreats, type CheckInput } from '../../src/threatmodel/checkThreats.ts';
import { collectControls } from '../../src/threatmodel/collectControls.ts';
import { generateThreats } from '../../src/threatmodel/generateThreats.ts';
import { readLiveRoutes } from '../../src/threatmodel/liveRoutes.ts';
import { DEFAULT_RULES } from '../../src/threatmodel/rules.ts';
import type { TestStatus } from '../../src/threatmodel/testReport.ts';
import { gatehouseModel } from '../../threat-model/gatehouse.ts';
import { GATEHOUSE_REGISTER } from '../../threat-model/register.ts';

/** CSRF from the browser on the session flow (rule browser-request-forgery). */
const CSRF_THREAT = 'TM-dfebd16b81';
/** Clickjacking of the page on the session flow (rule browser-framing). */
const FRAMING_THREAT = 'TM-bd4bf44b87';
const FRAMING_TEST = 'test/e2e/browserAttacks.test.ts > browser UI under attack > cannot be framed by another site';

describe('the gate on Gatehouse\'s own model', () => {
  let input: CheckInput;

  before(async () => {
    const linkedTests = GATEHOUSE_REGISTER.flatMap((e) => e.tests ?? []);
    input = {
      model: gatehouseModel,
      threats: generateThreats(gatehouseModel, DEFAULT_RULES),
      register: GATEHOUSE_REGISTER,
      controls: await collectControls(process.cwd()),
      tests: new Map<string, TestStatus>(linkedTests.map((t) => [t, 'pass'])),
      routes: await readLiveRoutes(),
      fileExists: (file) => fs.existsSync(file),
    };
  });

  it('passes when every linked test passed and every named control is declared', () => {
    assert.deepEqual(checkThreats(input), []);
  });

  it('fails, naming the threat, when one real control is removed (browser-csrf-token)', () => {
    assert.ok(input.controls.some((c) => c.id === 'browser-csrf-token' && c.declaredIn === 'src/web/controls.ts'));
    const findings = checkThreats({ ...input, controls: input.controls.filter((c) => c.id !== 'browser-csrf-token') });
    assert.deepEqual(findings.map((f) => f.code), ['unknown-control']);
    assert.match(findings[0]!.message, new RegExp(`^${CSRF_THREAT} names control "browser-csrf-token"`));
  });

  it('fails, naming the threats, when one real linked test did not run (the clickjacking e2e test)', () => {
    const tests = new Map(input.tests);
    assert.ok(tests.delete(FRAMING_TEST), 'the register links the clickjacking test');
    const findings = checkThreats({ ...input, tests });
    assert.ok(findings.length > 0);
    for (const f of findings) assert.equal(f.code, 'test-not-run');
    const named = findings.map((f) => f.message.split(' ')[0]);
    assert.ok(named.includes(FRAMING_THREAT), `findings name ${FRAMING_THREAT}: ${named.join(', ')}`);
    const linking = GATEHOUSE_REGISTER.filter((e) => e.tests?.includes(FRAMING_TEST)).map((e) => e.threat).sort();
    assert.deepEqual([...named].sort(), linking);
  });

  it('fails when that test ran but failed', () => {
    const findings = checkThreats({ ...input, tests: new Map(input.tests).set(FRAMING_TEST, 'fail') });
    assert.ok(findings.some((f) => f.code === 'test-not-passed' && f.message.startsWith(FRAMING_THREAT)));
  });
});
