/**
 * Measures one scenario: its server in one process (core 0), the load generators in others
 * (core 1), server CPU and memory read from /proc around the measured run. Every process is
 * stopped and the temporary data directory deleted, whatever happens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleEntry } from '../bin/bundle.js';
import { BenchChild } from './BenchChild.ts';
import { cpuSeconds, machineProcessCpuSeconds, peakRssBytes } from './procStats.ts';
import type { BenchTarget, LoadResult, LoadSpec } from './protocol.ts';
import type { Measurement, ScenarioResult } from './RunResult.ts';
import { runUnderAttack } from './runUnderAttack.ts';
import { HANDSHAKE_CONNECTIONS, type Scenario } from './scenarios.ts';

export interface RunSettings {
  readonly cwd: string;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** Write a V8 CPU profile of each server into this directory. */
  readonly cpuProfileDir?: string;
}

const SERVER_CORE = 0;
const LOADGEN_CORE = 1;
const START_TIMEOUT_MS = 60_000;
/** Slack on top of the warm-up and measured durations before a run counts as hung. */
export const RUN_SLACK_MS = 30_000;

const tempDirs = new Set<string>();

/** Deletes the data directories of scenarios still running (synchronous: for an 'exit' handler). */
export function removeTempDirsNow(): void {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** The environment of the children: ours without GATEHOUSE_* (each scenario sets its own). */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GATEHOUSE_') && !key.startsWith('BENCH_')) env[key] = value;
  }
  return { ...env, ...extra };
}

/** A running scenario server and what it asked the load generators to send. */
export interface ServerContext {
  readonly server: BenchChild;
  readonly target: BenchTarget;
  readonly settings: RunSettings;
  /** Starts a load generator (a script under bench/) on the load generator's core. */
  startLoadgen(label: string, script: string, spec: LoadSpec): BenchChild;
}

/** Starts the scenario's server, runs `body`, then stops every process it started and removes its data. */
export async function withServer<T>(scenario: Scenario, settings: RunSettings, body: (context: ServerContext) => Promise<T>): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gatehouse-bench-${scenario.name}-`));
  tempDirs.add(dataDir);
  const children: BenchChild[] = [];
  const profileDir = settings.cpuProfileDir && path.join(settings.cpuProfileDir, scenario.name);
  // An earlier run's profile would be read instead of this one's (topFunctions picks the largest).
  if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
  try {
    const server = new BenchChild({
      label: scenario.name,
      core: SERVER_CORE,
      // Every server, bare or not, runs from a bundle as `gatehouse serve` does: no tsx loader
      // thread in any of them, so memory and CPU compare like for like.
      script: await bundleEntry(path.join('bench', 'servers', scenario.server)),
      bundled: true,
      cwd: settings.cwd,
      env: childEnv({
        BENCH_DATA_DIR: dataDir,
        ...scenario.env,
        ...(scenario.gatehouseEnv
          ? { ...scenario.gatehouseEnv, GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_HOST: '127.0.0.1', GATEHOUSE_PORT: '0', GATEHOUSE_LOG_LEVEL: 'warn' }
          : {}),
      }),
      // One file per thread (the main thread's is the large one).
      nodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
    });
    children.push(server);
    const target = await server.waitFor('ready line', START_TIMEOUT_MS, (m) => (m as { benchReady?: BenchTarget }).benchReady);
    return await body({
      server,
      target,
      settings,
      startLoadgen(label, script, spec) {
        const child = new BenchChild({ label, core: LOADGEN_CORE, script: path.join('bench', script), cwd: settings.cwd, env: childEnv({ BENCH_LOADGEN: JSON.stringify(spec) }) });
        children.push(child);
        return child;
      },
    });
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    fs.rmSync(dataDir, { recursive: true, force: true });
    tempDirs.delete(dataDir);
  }
}

/** The load spec of the target's own request (the measured client). */
export function targetSpec(target: BenchTarget, settings: RunSettings, connections: number): LoadSpec {
  return {
    url: `https://127.0.0.1:${target.port}${target.path}`,
    method: target.method,
    headers: target.headers,
    ...(target.body !== undefined ? { body: target.body } : {}),
    ...(target.overallRate !== undefined ? { overallRate: target.overallRate } : {}),
    connections: target.connections ?? connections,
    warmupSeconds: settings.warmupSeconds,
    durationSeconds: settings.durationSeconds,
  };
}

/** What a measured run gave: the measuring client's result and CPU/memory over the same wall time. */
export interface MeasuredWindow {
  readonly result: LoadResult;
  readonly wallSeconds: number;
  readonly serverCpuSeconds: number | null;
  readonly loadgenCpuSeconds: number | null;
  readonly otherCpuSeconds: number | null;
  readonly serverRssMB: number | null;
}

/**
 * Waits for `measuring` to start its measured run, reads the CPU counters, waits for its
 * result and reads them again. `loadgens` are every load generator running meanwhile.
 */
export async function measureWindow(server: BenchChild, measuring: BenchChild, loadgens: readonly BenchChild[], settings: RunSettings): Promise<MeasuredWindow> {
  await measuring.waitFor('start of the measured run', settings.warmupSeconds * 1000 + RUN_SLACK_MS, (m) =>
    (m as { event?: string }).event === 'measuring' ? true : undefined);
  const loadgenCpu = () => sum(loadgens.map((l) => cpuSeconds(l.pid)));
  const before = { wall: performance.now(), server: cpuSeconds(server.pid), loadgens: loadgenCpu(), machine: machineProcessCpuSeconds() };
  const result = await measuring.waitFor('result', settings.durationSeconds * 1000 + RUN_SLACK_MS, (m) =>
    (m as { event?: string }).event === 'result' ? (m as LoadResult) : undefined);
  const after = { wall: performance.now(), server: cpuSeconds(server.pid), loadgens: loadgenCpu(), machine: machineProcessCpuSeconds() };
  const serverCpu = difference(after.server, before.server);
  const loadgensCpu = difference(after.loadgens, before.loadgens);
  const machineCpu = difference(after.machine, before.machine);
  const rss = peakRssBytes(server.pid);
  return {
    result,
    wallSeconds: (after.wall - before.wall) / 1000,
    serverCpuSeconds: serverCpu,
    loadgenCpuSeconds: loadgensCpu,
    otherCpuSeconds: machineCpu !== null && serverCpu !== null && loadgensCpu !== null ? Math.max(0, machineCpu - serverCpu - loadgensCpu) : null,
    serverRssMB: rss !== undefined ? rss / 2 ** 20 : null,
  };
}

/** The row of a measured window; `cpuRequests` is what server CPU is divided by (default: the client's answered requests). */
export function toMeasurement(window: MeasuredWindow, expectStatus: number, cpuRequests = window.result.requests): Measurement {
  const { result, wallSeconds, serverCpuSeconds, loadgenCpuSeconds, otherCpuSeconds } = window;
  const expected = result.statusCounts[String(expectStatus)] ?? 0;
  return {
    requests: result.requests,
    durationSeconds: result.durationSeconds,
    requestsPerSecond: result.requestsPerSecond,
    latencyMs: result.latencyMs,
    expectStatus,
    statusCounts: result.statusCounts,
    unexpected: result.requests - expected + result.errors + result.timeouts,
    serverCpuMicrosPerRequest: serverCpuSeconds !== null && cpuRequests > 0 ? (serverCpuSeconds * 1e6) / cpuRequests : null,
    serverCpuUtilisation: serverCpuSeconds !== null ? serverCpuSeconds / wallSeconds : null,
    loadgenCpuUtilisation: loadgenCpuSeconds !== null ? loadgenCpuSeconds / wallSeconds : null,
    otherProcessesCpuCores: otherCpuSeconds !== null ? otherCpuSeconds / wallSeconds : null,
    serverPeakRssMB: window.serverRssMB,
  };
}

/** The rows of one scenario (one, or two for under-attack); a failure is a row with `error`. */
export async function runScenario(scenario: Scenario, settings: RunSettings): Promise<ScenarioResult[]> {
  const row = { scenario: scenario.name, item: scenario.item, unit: scenario.kind === 'handshakes' ? 'connections' as const : 'requests' as const, gatehouse: scenario.gatehouseEnv !== undefined };
  try {
    if (scenario.kind === 'underAttack') return await runUnderAttack(scenario, settings, row);
    return await withServer(scenario, settings, async ({ server, target, startLoadgen }) => {
      const handshakes = scenario.kind === 'handshakes';
      const loadgen = startLoadgen(`${scenario.name}/loadgen`, handshakes ? 'handshakeLoadgen.ts' : 'loadgen.ts',
        targetSpec(target, settings, handshakes ? HANDSHAKE_CONNECTIONS : settings.connections));
      const window = await measureWindow(server, loadgen, [loadgen], settings);
      return [{ ...row, name: scenario.name, measured: toMeasurement(window, target.expectStatus) }];
    });
  } catch (err) {
    return [{ ...row, name: scenario.name, error: err instanceof Error ? err.message : String(err) }];
  }
}

function sum(values: readonly (number | undefined)[]): number | undefined {
  let total = 0;
  for (const v of values) {
    if (v === undefined) return undefined;
    total += v;
  }
  return total;
}

function difference(after: number | undefined, before: number | undefined): number | null {
  return after !== undefined && before !== undefined ? after - before : null;
}
