import type { DeclaredControl } from './collectControls.ts';
import type { ThreatModel } from './model.ts';
import type { ThreatRegister } from './register.ts';
import { routeDrift, type LiveRoute } from './routeDrift.ts';
import type { TestStatus } from './testReport.ts';
import type { Threat } from './threat.ts';

/** Why the gate fails; `code` is stable for tests and scripts. */
export interface Finding {
  readonly code:
    | 'open-crossing-threat' | 'not-applicable-crossing-threat' | 'unknown-control' | 'control-file-missing' | 'duplicate-control'
    | 'test-not-run' | 'test-not-passed' | 'no-evidence' | 'no-justification'
    | 'orphan-entry' | 'duplicate-entry' | 'route-drift';
  readonly message: string;
}

export interface CheckInput {
  readonly model: ThreatModel;
  readonly threats: readonly Threat[];
  readonly register: ThreatRegister;
  readonly controls: readonly DeclaredControl[];
  /** Outcomes by full test name; a mitigation's test must be here and 'pass'. */
  readonly tests: ReadonlyMap<string, TestStatus>;
  /** The live route table; omitted for models of other systems (no drift check). */
  readonly routes?: readonly LiveRoute[];
  /** Whether a source file exists (for controls' implementedIn). */
  readonly fileExists: (file: string) => boolean;
}

/** The gate: every finding is a reason to fail CI. Pure: all inputs are passed in. */
export function checkThreats(input: CheckInput): Finding[] {
  const findings: Finding[] = [];
  const add = (code: Finding['code'], message: string) => findings.push({ code, message });
  const threatIds = new Set(input.threats.map((t) => t.id));
  const controlIds = new Set<string>();
  for (const control of input.controls) {
    if (controlIds.has(control.id)) add('duplicate-control', `control "${control.id}" is declared twice (${control.declaredIn})`);
    controlIds.add(control.id);
    for (const file of control.implementedIn) {
      if (!input.fileExists(file)) add('control-file-missing', `control "${control.id}" names ${file}, which does not exist`);
    }
  }
  const seen = new Set<string>();
  for (const entry of input.register) {
    if (seen.has(entry.threat)) add('duplicate-entry', `${entry.threat} has two register entries`);
    seen.add(entry.threat);
    if (!threatIds.has(entry.threat)) add('orphan-entry', `register entry ${entry.threat} matches no generated threat`);
    if (entry.justification.trim() === '') add('no-justification', `${entry.threat}: ${entry.status} without a justification`);
    if (entry.status === 'mitigated' && ((entry.controls ?? []).length === 0 || (entry.tests ?? []).length === 0)) {
      add('no-evidence', `${entry.threat}: mitigated needs at least one control and one test`);
    }
    for (const control of entry.controls ?? []) {
      if (!controlIds.has(control)) add('unknown-control', `${entry.threat} names control "${control}", which no controls.ts declares`);
    }
    for (const test of entry.tests ?? []) {
      const status = input.tests.get(test);
      if (status === undefined) add('test-not-run', `${entry.threat} names test "${test}", which did not run`);
      else if (status !== 'pass') add('test-not-passed', `${entry.threat} names test "${test}", which did not pass (${status})`);
    }
  }
  const statusOf = new Map(input.register.map((e) => [e.threat, e.status]));
  for (const threat of input.threats) {
    if (threat.crossedBoundaries.length === 0) continue;
    const status = statusOf.get(threat.id) ?? 'open';
    if (status === 'open') add('open-crossing-threat', `${threat.id} is open on boundary-crossing flow "${threat.flow}": ${threat.title}`);
    // Issue 8: a crossing threat is mitigated by a passing test or accepted with a reason;
    // "does not apply" would let a real exposure leave the gate without either.
    if (status === 'not-applicable') {
      add('not-applicable-crossing-threat', `${threat.id} is marked not-applicable on boundary-crossing flow "${threat.flow}": mitigate it or accept it with a reason (${threat.title})`);
    }
  }
  if (input.routes) for (const problem of routeDrift(input.model, input.routes)) add('route-drift', problem);
  return findings;
}
