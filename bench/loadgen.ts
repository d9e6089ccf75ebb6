/**
 * The load generator, run in its own process (pinned to core 1 by bench/run.ts): a warm-up
 * run, then the measured run. Reports on stdout as JSON lines (bench/protocol.ts).
 */
import { createRequire } from 'node:module';
import type { LoadEvent, LoadResult, LoadSpec, RequestVariation } from './protocol.ts';

/** The part of autocannon 8's result used here (it ships no types; typed where it is used, so
 * that no ambient declaration of the module competes with other benchmarks' own). */
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  latency: { mean: number; max: number; p50: number; p99: number };
  statusCodeStats: Record<string, { count: number }>;
}

/** One request as autocannon builds it; `setupRequest` rewrites it before each send. */
interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}

const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: {
    url: string;
    connections: number;
    duration: number;
    method: string;
    headers: Record<string, string>;
    body?: string;
    requests?: AutocannonRequest[];
    overallRate?: number;
    /** SNI name (by default the URL's host, which Node refuses to send when it is an IP). */
    servername: string;
    /** Seconds before a request counts as timed out. */
    timeout: number;
    /** Milliseconds between samples (default 1000). */
    sampleInt: number;
  },
  done: (err: Error | null, result: AutocannonResult) => void,
) => unknown;

function emit(event: LoadEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** A request rewritten before each send as `vary` says (see RequestVariation); one counter for all connections. */
function variedRequest(spec: LoadSpec, vary: RequestVariation): AutocannonRequest {
  let n = 0;
  const base = { method: spec.method, path: new URL(spec.url).pathname, headers: { ...spec.headers }, ...(spec.body !== undefined ? { body: spec.body } : {}) };
  return {
    ...base,
    setupRequest: (request) => {
      n++;
      const headers = { ...base.headers };
      // 10.a.b.1: 65,536 addresses, each in its own /24 (the server's default range prefix).
      if (vary.forwardedForPerRequest) headers['x-forwarded-for'] = `10.${(n >> 8) & 255}.${n & 255}.1`;
      const body = vary.loginGuesses
        ? JSON.stringify({ username: `${vary.loginGuesses.usernamePrefix}${n % vary.loginGuesses.usernames}`, password: `wrong-guess-${n}-correct-horse` })
        : base.body;
      return { ...request, headers, ...(body !== undefined ? { body } : {}) };
    },
  };
}

function fire(spec: LoadSpec, durationSeconds: number): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    autocannon({
      url: spec.url,
      connections: spec.connections,
      duration: durationSeconds,
      method: spec.method,
      headers: { ...spec.headers },
      ...(spec.body !== undefined ? { body: spec.body } : {}),
      ...(spec.vary ? { requests: [variedRequest(spec, spec.vary)] } : {}),
      ...(spec.overallRate !== undefined ? { overallRate: spec.overallRate } : {}),
      servername: 'localhost',
      timeout: 10,
      // autocannon notices the end of the run at its next sample tick: 100 ms instead of 1 s
      // keeps the measured run within 0.1 s of the asked duration.
      sampleInt: 100,
    }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

function summarize(result: AutocannonResult): LoadResult {
  const statusCounts: Record<string, number> = {};
  let answered = 0;
  for (const [status, stats] of Object.entries(result.statusCodeStats)) {
    statusCounts[status] = stats.count;
    answered += stats.count;
  }
  return {
    requests: answered,
    durationSeconds: result.duration,
    requestsPerSecond: result.duration > 0 ? answered / result.duration : 0,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.mean, max: result.latency.max },
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

async function main(): Promise<void> {
  // The parent holds our stdin open; if it dies, stdin ends and we stop too.
  process.stdin.on('end', () => process.exit(2));
  process.stdin.resume();
  const spec = JSON.parse(process.env.BENCH_LOADGEN ?? 'null') as LoadSpec | null;
  if (!spec) throw new Error('BENCH_LOADGEN is not set; bench/run.ts starts this process');
  if (spec.warmupSeconds > 0) await fire(spec, spec.warmupSeconds);
  emit({ event: 'measuring' });
  const result = await fire(spec, spec.durationSeconds);
  emit({ event: 'result', ...summarize(result) });
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`loadgen: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
