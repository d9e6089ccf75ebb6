/**
 * `npm run bench`: measures the scenarios of bench/scenarios.ts one after the other, then
 * writes bench/results/<time>.json and .svg and rewrites bench/README.md. Measurement only.
 *
 *   --quick          1 s warm-up + 3 s measured per scenario (default 3 s + 10 s)
 *   --only a,b       only these scenarios (README.md is left alone)
 *   --cpu-prof       write a V8 CPU profile of each server to bench/results/profiles/
 *   BENCH_DURATION_SECONDS, BENCH_WARMUP_SECONDS override the durations;
 *   BENCH_QUIET_WAIT_SECONDS (default 20, 0 with --quick) bounds the wait, before each
 *   scenario, for other processes to leave the machine alone; all the waits of a run
 *   together stay under BENCH_QUIET_BUDGET_SECONDS (default 120), so that a full run on a
 *   busy machine still ends within about ten minutes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readChainResult, readmeWithChainSection } from './audit/chainSummary.ts';
import { BenchChild } from './BenchChild.ts';
import { machineProcessCpuSeconds } from './procStats.ts';
import { machineInfo } from './machineInfo.ts';
import { renderChart } from './renderChart.ts';
import { renderReadme } from './renderReadme.ts';
import { checkMemory, computeRatios, type RunResult, type ScenarioResult } from './RunResult.ts';
import { removeTempDirsNow, runScenario, type RunSettings } from './runScenario.ts';
import { SCENARIOS } from './scenarios.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const CONNECTIONS = 50;

function secondsFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) throw new Error(`${name}: expected seconds between 0 and 3600, got "${raw}"`);
  return seconds;
}

function parseOptions() {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean' }, only: { type: 'string' }, 'cpu-prof': { type: 'boolean' } },
    allowPositionals: false,
  });
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const durationSeconds = secondsFromEnv('BENCH_DURATION_SECONDS', values.quick ? 3 : 10);
  if (durationSeconds < 1) throw new Error('BENCH_DURATION_SECONDS: at least 1');
  return {
    quietWaitSeconds: secondsFromEnv('BENCH_QUIET_WAIT_SECONDS', values.quick ? 0 : 20),
    quietBudgetSeconds: secondsFromEnv('BENCH_QUIET_BUDGET_SECONDS', 120),
    scenarios: only ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS,
    mode: only ? 'partial' as const : values.quick ? 'quick' as const : 'full' as const,
    settings: {
      cwd: ROOT,
      connections: CONNECTIONS,
      warmupSeconds: secondsFromEnv('BENCH_WARMUP_SECONDS', values.quick ? 1 : 3),
      durationSeconds,
      ...(values['cpu-prof'] ? { cpuProfileDir: path.join(RESULTS_DIR, 'profiles') } : {}),
    } satisfies RunSettings,
  };
}

function describe(result: ScenarioResult): string {
  const m = result.measured;
  if (!m) return `FAILED\n${result.error ?? ''}`;
  const unit = result.unit === 'connections' ? 'conn' : 'req';
  const cpu = m.serverCpuMicrosPerRequest === null ? '' : `, ${m.serverCpuMicrosPerRequest.toFixed(1)} µs CPU/${unit}`;
  const other = m.unexpected > 0 ? `, ${m.unexpected} unexpected (${JSON.stringify(m.statusCounts)})` : '';
  const floods = (result.floods ?? []).map((f) => `; ${f.name} ${Math.round(f.requestsPerSecond).toLocaleString('en-US')} req/s ${JSON.stringify(f.statusCounts)}`).join('');
  return `${result.name}: ${Math.round(m.requestsPerSecond).toLocaleString('en-US')} ${unit}/s, p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms${cpu}${other}${floods}`;
}

/** Cores the machine's other processes use, sampled over one second (undefined without /proc). */
async function busyCores(): Promise<number | undefined> {
  const before = machineProcessCpuSeconds();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = machineProcessCpuSeconds();
  return before === undefined || after === undefined ? undefined : after - before;
}

/**
 * On a shared machine, waits (at most `maxSeconds`) until other processes use less than a
 * fifth of a core, so that a burst of someone else's work does not land in a measurement.
 */
async function waitForQuiet(maxSeconds: number): Promise<number> {
  const started = Date.now();
  const deadline = started + maxSeconds * 1000;
  let busy = await busyCores();
  if (busy === undefined || busy < 0.2) return 0;
  process.stdout.write(`(machine busy: ${busy.toFixed(1)} cores${maxSeconds > 0 ? `; waiting up to ${Math.round(maxSeconds)} s` : ''}) `);
  while (busy !== undefined && busy >= 0.2 && Date.now() < deadline && !interrupted) busy = await busyCores();
  return (Date.now() - started) / 1000;
}

let interrupted = false;

/** Ctrl-C / SIGTERM: stop the children (the running scenario then cleans up), exit soon after. */
function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) return;
  interrupted = true;
  process.stderr.write(`\n${signal}: stopping the benchmark processes\n`);
  void BenchChild.stopAll(2000);
  setTimeout(() => process.exit(130), 5000).unref();
}

async function main(): Promise<number> {
  const { scenarios, mode, settings, quietWaitSeconds, quietBudgetSeconds } = parseOptions();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => {
    BenchChild.killAllNow();
    removeTempDirsNow();
  });
  // Every step has its own timeout; this bounds the whole run even if one of them fails to fire.
  // (under-attack measures twice, hence the factor 2.)
  const boundMs = (quietBudgetSeconds + scenarios.length * (2 * (settings.warmupSeconds + settings.durationSeconds) + 150)) * 1000;
  setTimeout(() => {
    process.stderr.write(`benchmark still running after ${boundMs / 1000} s; giving up\n`);
    process.exit(1);
  }, boundMs).unref();

  const startedAt = new Date().toISOString();
  if (settings.cpuProfileDir) fs.mkdirSync(settings.cpuProfileDir, { recursive: true });
  const results: ScenarioResult[] = [];
  let quietBudget = quietBudgetSeconds;
  for (const [i, scenario] of scenarios.entries()) {
    process.stdout.write(`[${i + 1}/${scenarios.length}] ${scenario.name} … `);
    quietBudget -= await waitForQuiet(Math.max(0, Math.min(quietWaitSeconds, quietBudget)));
    const rows = await runScenario(scenario, settings);
    if (interrupted) return 130;
    process.stdout.write(`${rows.map(describe).join('\n    ')}\n`);
    results.push(...rows);
  }

  const run: RunResult = {
    startedAt,
    mode,
    settings: { connections: settings.connections, warmupSeconds: settings.warmupSeconds, durationSeconds: settings.durationSeconds },
    machine: machineInfo(ROOT),
    scenarios: results,
    ratios: computeRatios(results),
    memory: checkMemory(results),
  };
  const stem = startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const files = { json: `${stem}.json`, svg: `${stem}.svg` };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  // The audit chain's latest numbers (bench/audit/chain.ts, run on its own) travel with the run.
  fs.writeFileSync(path.join(RESULTS_DIR, files.json), `${JSON.stringify({ ...run, auditChain: readChainResult(RESULTS_DIR) ?? null }, null, 2)}\n`);
  fs.writeFileSync(path.join(RESULTS_DIR, files.svg), renderChart(run));
  process.stdout.write(`\nwrote bench/results/${files.json} and ${files.svg}\n`);
  for (const ratio of run.ratios) {
    const basis = ratio.judgedOn === 'cpuEfficiency' ? ', judged on CPU per request' : '';
    const target = ratio.target === null || ratio.met === null ? '' : ` (target ${ratio.metric === 'p99' ? '≤' : '≥'} ${ratio.target}: ${ratio.met ? 'met' : 'not met'}${basis})`;
    const cpu = ratio.metric === 'p99' ? '' : `, ${ratio.cpuEfficiency?.toFixed(2) ?? '–'} (CPU per request, inverse)`;
    process.stdout.write(`${ratio.label}: ${ratio.value?.toFixed(2) ?? '–'}${target}${cpu}\n`);
  }
  const mem = run.memory;
  process.stdout.write(`peak RSS of a Gatehouse server: ${mem.maxGatehouseRssMB?.toFixed(0) ?? '–'} MB (${mem.row ?? '–'}; limit ${mem.limitMB} MB)\n`);
  if (mode !== 'partial') {
    fs.writeFileSync(path.join(ROOT, 'bench', 'README.md'), readmeWithChainSection(renderReadme(run, files), RESULTS_DIR));
    process.stdout.write('rewrote bench/README.md\n');
  }
  if (settings.cpuProfileDir) process.stdout.write(`CPU profiles in ${path.relative(ROOT, settings.cpuProfileDir)}/\n`);
  return results.some((r) => r.error !== undefined) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
