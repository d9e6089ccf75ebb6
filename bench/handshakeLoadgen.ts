/**
 * The load generator of the TLS scenarios, run in its own process like bench/loadgen.ts:
 * every request on a new connection with a full handshake (no session resumption: no session
 * is ever offered back, and `Connection: close`, so no keep-alive). `connections` workers each
 * open, request, read to the end and close, over and over. A warm-up run, then the measured
 * run; reports on stdout as JSON lines (bench/protocol.ts), a "request" being one connection.
 */
import tls from 'node:tls';
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

/** One connection: handshake, one HTTP/1.1 request, the whole response, close. Resolves with the status (0: failed). */
function oneConnection(url: URL, request: Buffer): Promise<{ status: number; timedOut: boolean }> {
  return new Promise((resolve) => {
    let head = '';
    let settled = false;
    const finish = (status: number, timedOut = false) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ status, timedOut });
    };
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port),
      servername: 'localhost',
      // The certificate is self-signed: its chain is not checked, its signature over the
      // handshake still is (CertificateVerify), so the handshake costs what it costs.
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    socket.setTimeout(TIMEOUT_MS, () => finish(0, true));
    // Written, not ended: Node's HTTP server aborts a request whose client half-closes early;
    // with `Connection: close` the server closes once it has answered.
    socket.once('secureConnect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      if (head.length < 64) head += chunk.toString('latin1', 0, Math.min(chunk.length, 64));
    });
    socket.once('end', () => finish(Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)));
    socket.once('error', () => finish(0));
  });
}

async function run(spec: LoadSpec, seconds: number): Promise<{ tally: Tally; elapsedSeconds: number }> {
  const url = new URL(spec.url);
  const headers = Object.entries(spec.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const request = Buffer.from(`${spec.method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n${headers}\r\n`, 'latin1');
  const tally: Tally = { latenciesMs: [], statusCounts: {}, errors: 0, timeouts: 0 };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const { status, timedOut } = await oneConnection(url, request);
      if (status === 0) {
        if (timedOut) tally.timeouts++;
        else tally.errors++;
        continue;
      }
      tally.latenciesMs.push(performance.now() - t0);
      tally.statusCounts[status] = (tally.statusCounts[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, worker));
  return { tally, elapsedSeconds: (performance.now() - started) / 1000 };
}

/** Nearest-rank percentile, rounded to whole ms like autocannon's. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
}

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
      mean: answered ? Math.round((sorted.reduce((a, b) => a + b, 0) / answered) * 100) / 100 : 0,
      max: Math.round(sorted[answered - 1] ?? 0),
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
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds);
  emit({ event: 'measuring' });
  const result = summarize(await run(spec, spec.durationSeconds));
  emit({ event: 'result', ...result });
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`handshake loadgen: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
