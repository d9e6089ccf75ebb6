/**
 * The under-attack scenario (issue 11 item 7): the legitimate client (bench/latencyProbe.ts,
 * paced, every request timed) measured alone, then measured again while the server's floods
 * (bench/loadgen.ts, one process each, with per-request variation) hammer it. All load
 * generators share the load generator's core; the server keeps its own.
 */
import type { BenchChild } from './BenchChild.ts';
import type { LoadResult, LoadSpec } from './protocol.ts';
import type { FloodResult, ScenarioResult } from './RunResult.ts';
import { measureWindow, RUN_SLACK_MS, targetSpec, toMeasurement, withServer, type RunSettings } from './runScenario.ts';
import type { Scenario } from './scenarios.ts';

/** Seconds the floods run before the legitimate client's warm-up starts, so it meets them at full strength. */
const FLOOD_LEAD_SECONDS = 1;

type RowBase = Omit<ScenarioResult, 'name' | 'measured' | 'error' | 'floods'>;

export async function runUnderAttack(scenario: Scenario, settings: RunSettings, row: RowBase): Promise<ScenarioResult[]> {
  return withServer(scenario, settings, async ({ server, target, startLoadgen }) => {
    const legit = targetSpec(target, settings, 1);

    const aloneProbe = startLoadgen(`${scenario.name}/alone`, 'latencyProbe.ts', legit);
    const alone = await measureWindow(server, aloneProbe, [aloneProbe], settings);
    await aloneProbe.stop();

    const floodSeconds = FLOOD_LEAD_SECONDS + settings.warmupSeconds + settings.durationSeconds + 2;
    const floods = (target.floods ?? []).map((flood) => {
      const spec: LoadSpec = {
        url: `https://127.0.0.1:${target.port}${flood.path}`,
        method: flood.method,
        headers: flood.headers,
        ...(flood.body !== undefined ? { body: flood.body } : {}),
        ...(flood.vary ? { vary: flood.vary } : {}),
        connections: flood.connections,
        warmupSeconds: 0,
        durationSeconds: floodSeconds,
      };
      return { name: flood.name, child: startLoadgen(`${scenario.name}/${flood.name}`, 'loadgen.ts', spec) };
    });
    await new Promise((resolve) => setTimeout(resolve, FLOOD_LEAD_SECONDS * 1000));
    const floodedProbe = startLoadgen(`${scenario.name}/flooded`, 'latencyProbe.ts', legit);
    const flooded = await measureWindow(server, floodedProbe, [floodedProbe, ...floods.map((f) => f.child)], settings);
    const floodResults = await Promise.all(floods.map(async ({ name, child }) => summarizeFlood(name, await floodResult(child))));

    // Server CPU per request answered to anyone in the window: the floods' requests included.
    const floodRequestsInWindow = floodResults.reduce((total, f) => total + f.requestsPerSecond * flooded.wallSeconds, 0);
    return [
      { ...row, name: `${scenario.name}/alone`, measured: toMeasurement(alone, target.expectStatus) },
      {
        ...row,
        name: `${scenario.name}/flooded`,
        measured: toMeasurement(flooded, target.expectStatus, flooded.result.requests + floodRequestsInWindow),
        floods: floodResults,
      },
    ];
  });
}

function floodResult(child: BenchChild): Promise<LoadResult> {
  return child.waitFor('flood result', RUN_SLACK_MS, (m) => ((m as { event?: string }).event === 'result' ? (m as LoadResult) : undefined));
}

function summarizeFlood(name: string, result: LoadResult): FloodResult {
  return { name, requestsPerSecond: result.requestsPerSecond, statusCounts: result.statusCounts, errors: result.errors, timeouts: result.timeouts };
}
