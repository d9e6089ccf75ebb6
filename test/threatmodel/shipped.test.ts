import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { threatsCommand, writeReports } from '../../src/cli/commands/threats.ts';
import { main, type CommandIo } from '../../src/cli/main.ts';
import { crossing } from '../../src/threatmodel/boundaries.ts';
import { checkThreats } from '../../src/threatmodel/checkThreats.ts';
import { collectControls } from '../../src/threatmodel/collectControls.ts';
import { generateThreats } from '../../src/threatmodel/generateThreats.ts';
import { readLiveRoutes } from '../../src/threatmodel/liveRoutes.ts';
import { DEFAULT_RULES } from '../../src/threatmodel/rules.ts';
import { validateModel } from '../../src/threatmodel/validateModel.ts';
import { SHIPPED_MODELS } from '../../threat-model/index.ts';
import { pizzaModel } from '../../threat-model/pizza.ts';

function captureIo(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), readSecret: async () => '', env: {} };
}

describe('shipped threat models', () => {
  it('are valid, and the committed SVG and report are what `threats report` writes now', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-threats-'));
    try {
      await writeReports(Object.keys(SHIPPED_MODELS), dir);
      for (const name of Object.keys(SHIPPED_MODELS)) {
        assert.deepEqual(validateModel(SHIPPED_MODELS[name]!.model), []);
        for (const file of [`${name}.svg`, `${name}.md`]) {
          const committed = fs.readFileSync(path.join('docs', 'threat-model', file), 'utf8');
          assert.ok(committed === fs.readFileSync(path.join(dir, file), 'utf8'), `docs/threat-model/${file} is stale: run gatehouse threats report`);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Gatehouse\'s model matches the live route table and its register matches its threats', async () => {
    const { model, register } = SHIPPED_MODELS.gatehouse!;
    const threats = generateThreats(model, DEFAULT_RULES);
    const findings = checkThreats({
      model, threats, register, controls: await collectControls(process.cwd()), tests: new Map(), routes: await readLiveRoutes(), fileExists: (f) => fs.existsSync(f),
    });
    // Without a test report every linked test is "not run"; every other finding is a real problem.
    assert.deepEqual(findings.filter((f) => f.code !== 'test-not-run'), []);
    assert.ok(findings.length > 0, 'an empty test report must fail the gate');
  });

  it('the pizza example: apps in their own boundaries, API and DBMS in one datacenter under different accounts', () => {
    assert.deepEqual(crossing(pizzaModel, 'web-app', 'pizza-api'), { leaves: ['web-browser'], enters: ['os-api', 'datacenter'] });
    assert.deepEqual(crossing(pizzaModel, 'pizza-api', 'dbms'), { leaves: ['os-api'], enters: ['os-dbms'] });
    assert.deepEqual(crossing(pizzaModel, 'dbms', 'data-files'), { leaves: [], enters: [] });
    assert.ok(generateThreats(pizzaModel, DEFAULT_RULES).some((t) => t.ruleId === 'crossing-unprotected-transit' && t.subject === 'api-dbms'));
  });
});

describe('gatehouse threats (command line)', () => {
  it('a wrong invocation prints what was wrong and exits 2', async () => {
    for (const args of [['threats'], ['threats', 'frobnicate'], ['threats', 'check', '--out', 'x'], ['threats', 'report', '--model', 'nope']]) {
      const io = captureIo();
      assert.equal(await main(args, io), 2, args.join(' '));
      assert.match(io.stderr.join('\n'), /gatehouse threats: /);
    }
  });

  it('check exits 1 without a test report, and 1 with one where linked tests did not run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-threats-'));
    try {
      const missing = captureIo();
      assert.equal(await threatsCommand.run(['check', '--results', path.join(dir, 'none.jsonl')], missing), 1);
      assert.match(missing.stderr.join('\n'), /no test report/);
      const empty = path.join(dir, 'tests.jsonl');
      fs.writeFileSync(empty, JSON.stringify({ file: 'x', name: 'x > y', status: 'pass' }) + '\n');
      const io = captureIo();
      assert.equal(await threatsCommand.run(['check', '--results', empty], io), 1);
      assert.match(io.stderr.join('\n'), /\[test-not-run\]/);
      assert.match(io.stderr.join('\n'), /FAILS/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
