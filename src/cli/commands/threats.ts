import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SHIPPED_MODELS, type ShippedModel } from '../../../threat-model/index.ts';
import { checkThreats } from '../../threatmodel/checkThreats.ts';
import { collectControls } from '../../threatmodel/collectControls.ts';
import { generateThreats } from '../../threatmodel/generateThreats.ts';
import { readLiveRoutes } from '../../threatmodel/liveRoutes.ts';
import { renderReport } from '../../threatmodel/renderReport.ts';
import { renderSvg } from '../../threatmodel/renderSvg.ts';
import { DEFAULT_RULES } from '../../threatmodel/rules.ts';
import { parseTestReport } from '../../threatmodel/testReport.ts';
import { parseOrUsage, UsageError, type Command } from '../Command.ts';
import { projectRoot } from '../../projectRoot.ts';

/** The repository root: controls, test names and the default paths are relative to it. */
const ROOT = projectRoot();

const USAGE = `Usage: gatehouse threats <action> [options]

Actions:
  check [--model <name>] [--results <file>] [--json]
        the CI gate, after npm test. Exit 1 when a threat on a boundary-crossing flow is open,
        a mitigation names an undeclared control or a test that did not run or pass
        (--results, default test-results/tests.jsonl), a register entry matches no threat,
        or the model disagrees with the live route table. Exit 0 when none of these.
  report [--model <name>] [--out <dir>]
        write <name>.svg (dataflow diagram) and <name>.md (threats, status, evidence) into
        --out (default docs/threat-model); without --model, every shipped model.

Models: ${Object.keys(SHIPPED_MODELS).join(', ')} (default for check: gatehouse).`;

const OPTIONS = {
  model: { type: 'string' },
  results: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const threatsCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parse(args);
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    const [action, ...extra] = positionals;
    if (action !== 'check' && action !== 'report') throw new UsageError(action ? `unknown action "${action}"` : 'missing action');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const allowed = action === 'check' ? ['model', 'results', 'json'] : ['model', 'out'];
    const wrong = Object.keys(values).find((k) => k !== 'help' && !allowed.includes(k));
    if (wrong) throw new UsageError(`--${wrong} does not apply to "threats ${action}"`);
    const names = values.model !== undefined ? [values.model] : action === 'check' ? ['gatehouse'] : Object.keys(SHIPPED_MODELS);
    for (const name of names) if (!SHIPPED_MODELS[name]) throw new UsageError(`unknown model "${name}" (known: ${Object.keys(SHIPPED_MODELS).join(', ')})`);
    if (action === 'report') {
      const out = values.out ?? path.join(ROOT, 'docs', 'threat-model');
      const files = await writeReports(names, out);
      io.out(`wrote ${files.join(', ')}`);
      return 0;
    }
    const results = values.results ?? path.join(ROOT, 'test-results', 'tests.jsonl');
    if (!fs.existsSync(results)) {
      io.err(`gatehouse threats check: no test report at ${results}; run npm test first`);
      return 1;
    }
    return check(SHIPPED_MODELS[names[0]!]!, fs.readFileSync(results, 'utf8'), values.json === true, io);
  },
};

async function check(shipped: ShippedModel, reportText: string, json: boolean, io: Parameters<Command['run']>[1]): Promise<number> {
  const threats = generateThreats(shipped.model, DEFAULT_RULES);
  const findings = checkThreats({
    model: shipped.model,
    threats,
    register: shipped.register,
    controls: await collectControls(ROOT),
    tests: parseTestReport(reportText),
    ...(shipped.checkRoutes ? { routes: await readLiveRoutes() } : {}),
    fileExists: (file) => fs.existsSync(path.join(ROOT, file)),
  });
  const statusOf = new Map(shipped.register.map((e) => [e.threat, e.status]));
  const count = (s: string) => threats.filter((t) => (statusOf.get(t.id) ?? 'open') === s).length;
  const summary = { threats: threats.length, crossing: threats.filter((t) => t.crossedBoundaries.length > 0).length, mitigated: count('mitigated'), accepted: count('accepted'), notApplicable: count('not-applicable'), open: count('open') };
  if (json) io.out(JSON.stringify({ ok: findings.length === 0, summary, findings }));
  else {
    for (const f of findings) io.err(`✗ [${f.code}] ${f.message}`);
    const line = `${summary.threats} threats (${summary.crossing} on boundary-crossing flows): ${summary.mitigated} mitigated, ${summary.accepted} accepted, ${summary.notApplicable} not applicable, ${summary.open} open`;
    if (findings.length === 0) io.out(`threat model "${shipped.model.name}" passes: ${line}`);
    else io.err(`threat model "${shipped.model.name}" FAILS with ${findings.length} finding(s); ${line}`);
  }
  return findings.length === 0 ? 0 : 1;
}

/** Writes <name>.svg and <name>.md for each model; returns the paths written. */
export async function writeReports(names: readonly string[], outDir: string): Promise<string[]> {
  const controls = await collectControls(ROOT);
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const name of names) {
    const { model, register } = SHIPPED_MODELS[name]!;
    const threats = generateThreats(model, DEFAULT_RULES);
    for (const [file, text] of [[`${name}.svg`, renderSvg(model)], [`${name}.md`, renderReport({ model, threats, register, controls, rules: DEFAULT_RULES })]] as const) {
      fs.writeFileSync(path.join(outDir, file), text);
      written.push(path.join(outDir, file));
    }
  }
  return written;
}

function parse(args: readonly string[]) {
  return parseOrUsage(() => parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true }));
}
