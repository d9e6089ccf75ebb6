/**
 * The legitimate client of the under-attack scenario, run in its own process: a light, paced
 * load (a fixed number of requests per second over a few keep-alive connections) whose every
 * request is timed to the microsecond. Latency counts from the moment the request was due,
 * so a stalled server is not hidden by the client waiting for it (no coordinated omission).
 * Reports on stdout as JSON lines, like bench/loadgen.ts.
 */
import https from 'node:https';
import type { LoadEvent, LoadResult, LoadSpec } from './protocol.ts';

function emit(event: LoadEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

interface Tally {
  latenciesMs: number[];
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
}

const TIMEOUT_MS = 10_000;

function oneRequest(agent: https.Agent, url: URL, spec: LoadSpec): Promise<{ status: number; timedOut: boolean }> {
  return new Promise((resolve) => {
    const req = https.request(url, {
      agent,
      method: spec.method,
      headers: { ...spec.headers, ...(spec.body !== undefined ? { 'content-length': Buffer.byteLength(spec.body) } : {}) },
      servername: 'localhost',
      rejectUnauthorized: false,
      timeout: TIMEOUT_MS,
    }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, timedOut: false }));
      res.once('error', () => resolve({ status: 0, timedOut: false }));
    });
    req.once('timeout', () => {
      req.destroy();
      resolve({ status: 0, timedOut: true });
    });
    req.once('error', () => resolve({ status: 0, timedOut: false }));
    req.end(spec.body);
  });
}

async function run(agent: https.Agent, spec: LoadSpec, seconds: number): Promise<{ tally: Tally; elapsedSeconds: number }> {
  const url = new URL(spec.url);
  const rate = spec.overallRate ?? 50;
  const tally: Tally = { latenciesMs: [], statusCounts: {}, errors: 0, timeouts: 0 };
  const started = performance.now();
  const total = Math.round(rate * seconds);
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(oneRequest(agent, url, spec).then(({ status, timedOut }) => {
      if (status === 0) {
        if (timedOut) tally.timeouts++;
        else tally.errors++;
        return;
      }
      tally.latenciesMs.push(performance.now() - due);
      tally.statusCounts[status] = (tally.statusCounts[status] ?? 0) + 1;
    }));
  }
  await Promise.all(pending);
  return { tally, elapsedSeconds: (performance.now() - started) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
}

const round = (ms: number) => Math.round(ms * 100) / 100;

function summarize({ tally, elapsedSeconds }: { tally: Tally; elapsedSeconds: number }): LoadResult {
  const sorted = tally.latenciesMs.sort((a, b) => a - b);
  const answered = sorted.length;
  return {
    requests: answered,
    durationSeconds: elapsedSeconds,
    requestsPerSecond: elapsedSeconds > 0 ? answered / elapsedSeconds : 0,
    latencyMs: {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      mean: answered ? round(sorted.reduce((a, b) => a + b, 0) / answered) : 0,
      max: round(sorted[answered - 1] ?? 0),
    },
    statusCounts: tally.statusCounts,
    errors: tally.errors,
    timeouts: tally.timeouts,
  };
}

async function main(): Promise<void> {
  process.stdin.on('end', () => process.exit(2));
  process.stdin.resume();
  const spec = JSON.parse(process.env.BENCH_LOADGEN ?? 'null') as LoadSpec | null;
  if (!spec) throw new Error('BENCH_LOADGEN is not set; bench/run.ts starts this process');
  // Keep-alive sockets, at most `connections` of them, like a browser or an SDK would hold.
  const agent = new https.Agent({ keepAlive: true, maxSockets: spec.connections });
  if (spec.warmupSeconds > 0) await run(agent, spec, spec.warmupSeconds);
  emit({ event: 'measuring' });
  const result = summarize(await run(agent, spec, spec.durationSeconds));
  emit({ event: 'result', ...result });
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`latency probe: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
