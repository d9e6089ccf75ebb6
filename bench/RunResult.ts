/** What one benchmark run produced: written as bench/results/<time>.json and summarised in README. */
import type { MachineInfo } from './machineInfo.ts';
import { RATIOS, RSS_LIMIT_MB } from './scenarios.ts';

/** What one load generator measured, with the server's CPU and memory over the same time. */
export interface Measurement {
  readonly requests: number;
  readonly durationSeconds: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly mean: number; readonly max: number };
  readonly expectStatus: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Responses with another status than expected, plus errors and timeouts. */
  readonly unexpected: number;
  /**
   * Server CPU (user + system, all threads) per answered request, in µs. In under-attack's
   * flooded row: per request answered to anyone (the floods' included).
   */
  readonly serverCpuMicrosPerRequest: number | null;
  /** Server CPU over the measured wall time: near 1 means the server core was saturated. */
  readonly serverCpuUtilisation: number | null;
  /** Same for the load generator (all of them, in under-attack): near 1 means it, not the server, set the pace. */
  readonly loadgenCpuUtilisation: number | null;
  /** CPU the rest of the machine's processes used meanwhile, in cores: noise when above ~0.1. */
  readonly otherProcessesCpuCores: number | null;
  /** VmHWM of the server process at the end of the run (start-up included). */
  readonly serverPeakRssMB: number | null;
}

/** A flood of the under-attack scenario, as its load generator saw it. */
export interface FloodResult {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly timeouts: number;
}

/** One row of the results: a scenario, or one of the two rows of under-attack. */
export interface ScenarioResult {
  /** The row's name: the scenario's, or `under-attack/alone` and `under-attack/flooded`. */
  readonly name: string;
  /** The scenario it came from. */
  readonly scenario: string;
  readonly item: string;
  /** What one "request" is: an HTTP request on a kept-alive connection, or a new TLS connection. */
  readonly unit: 'requests' | 'connections';
  /** Whether the server is Gatehouse (for the memory limit and the chart's colours). */
  readonly gatehouse: boolean;
  /** Set when the scenario could not be measured; the numbers below are then absent. */
  readonly error?: string;
  readonly measured?: Measurement;
  readonly floods?: readonly FloodResult[];
}

export interface RatioResult {
  readonly label: string;
  readonly metric: 'requestsPerSecond' | 'p99';
  /** numerator ÷ denominator of the metric. */
  readonly value: number | null;
  /** For throughput: CPU µs per request of the denominator ÷ that of the numerator (higher is better, like throughput). */
  readonly cpuEfficiency: number | null;
  /** The bound: value ≥ target for throughput, ≤ target for latency. */
  readonly target: number | null;
  /**
   * What `met` was judged on: the metric itself, or (throughput ratios where a server was not
   * saturated, so its req/s shows the load generator's limit, not the server's) CPU per request.
   */
  readonly judgedOn: 'value' | 'cpuEfficiency';
  readonly met: boolean | null;
}

/** Server CPU at or above this share of the wall time counts as saturated (softirq work is not counted). */
export const SATURATED_CPU = 0.85;

export interface MemoryCheck {
  readonly limitMB: number;
  /** The largest peak RSS of a Gatehouse server in this run, and which row it was. */
  readonly maxGatehouseRssMB: number | null;
  readonly row: string | null;
  readonly met: boolean | null;
}

export interface RunResult {
  readonly startedAt: string;
  readonly mode: 'quick' | 'full' | 'partial';
  readonly settings: { readonly connections: number; readonly warmupSeconds: number; readonly durationSeconds: number };
  readonly machine: MachineInfo;
  readonly scenarios: readonly ScenarioResult[];
  readonly ratios: readonly RatioResult[];
  readonly memory: MemoryCheck;
}

/** The ratios issue 11 asks for, from the rows that were measured. */
export function computeRatios(rows: readonly ScenarioResult[]): RatioResult[] {
  const byName = new Map(rows.map((s) => [s.name, s.measured]));
  return RATIOS.map((ratio) => {
    const a = byName.get(ratio.numerator);
    const b = byName.get(ratio.denominator);
    const metric = ratio.metric ?? 'requestsPerSecond';
    let value: number | null = null;
    let cpuEfficiency: number | null = null;
    if (a && b && metric === 'p99') {
      value = b.latencyMs.p99 > 0 ? a.latencyMs.p99 / b.latencyMs.p99 : null;
    } else if (a && b) {
      value = b.requestsPerSecond > 0 ? a.requestsPerSecond / b.requestsPerSecond : null;
      cpuEfficiency = a.serverCpuMicrosPerRequest && b.serverCpuMicrosPerRequest ? b.serverCpuMicrosPerRequest / a.serverCpuMicrosPerRequest : null;
    }
    const target = ratio.target ?? null;
    const saturated = (m: typeof a) => (m?.serverCpuUtilisation ?? 1) >= SATURATED_CPU;
    const judgedOn = metric === 'requestsPerSecond' && !(saturated(a) && saturated(b)) && cpuEfficiency !== null ? 'cpuEfficiency' : 'value';
    const judged = judgedOn === 'cpuEfficiency' ? cpuEfficiency : value;
    const met = judged === null || target === null ? null : metric === 'p99' ? judged <= target : judged >= target;
    return { label: ratio.label, metric, value, cpuEfficiency, target, judgedOn, met };
  });
}

/** Issue 11's memory bound, checked on every Gatehouse server of the run. */
export function checkMemory(rows: readonly ScenarioResult[]): MemoryCheck {
  let max: number | null = null;
  let row: string | null = null;
  for (const s of rows) {
    const rss = s.measured?.serverPeakRssMB;
    if (s.gatehouse && rss !== undefined && rss !== null && (max === null || rss > max)) {
      max = rss;
      row = s.name;
    }
  }
  return { limitMB: RSS_LIMIT_MB, maxGatehouseRssMB: max, row, met: max === null ? null : max <= RSS_LIMIT_MB };
}
