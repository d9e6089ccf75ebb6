/** bench/README.md: how to run the benchmarks, what each scenario is, and the latest results. */
import { SATURATED_CPU, type RatioResult, type RunResult, type ScenarioResult } from './RunResult.ts';
import { HANDSHAKE_CONNECTIONS, SCENARIOS } from './scenarios.ts';

const fixed = (n: number | null | undefined, digits: number) => (n === null || n === undefined ? '–' : n.toFixed(digits));
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');
/** Latency: whole ms from autocannon; the paced probes and the handshake client measure finer. */
const ms = (n: number) => (Number.isInteger(n) || n >= 10 ? n.toFixed(0) : n.toFixed(2));
/** Server CPU below this share of the wall time: something other than the server set the pace. */
const UNSATURATED = SATURATED_CPU;
const percent = (n: number | null) => (n === null ? '–' : `${Math.round(n * 100)}%`);
const counts = (c: Readonly<Record<string, number>>) => Object.entries(c).map(([code, n]) => `${code}×${n}`).join(', ');

function scenarioRow(s: ScenarioResult): string {
  const m = s.measured;
  if (!m) return `| ${s.item} | ${s.name} | failed: ${(s.error ?? '').split('\n')[0]} | | | | | | | | |`;
  const other = m.unexpected === 0 ? '0' : `${m.unexpected} (${counts(m.statusCounts)})`;
  const unit = s.unit === 'connections' ? ' conn/s' : '';
  return `| ${s.item} | ${s.name} | ${thousands(m.requestsPerSecond)}${unit} | ${ms(m.latencyMs.p50)} | ${ms(m.latencyMs.p99)} | ${fixed(m.serverCpuMicrosPerRequest, 1)} | ${percent(m.serverCpuUtilisation)} | ${percent(m.loadgenCpuUtilisation)} | ${fixed(m.otherProcessesCpuCores, 2)} | ${fixed(m.serverPeakRssMB, 0)} | ${m.expectStatus}; other: ${other} |`;
}

function ratioRow(r: RatioResult): string {
  const target = r.target === null ? '–' : `${r.metric === 'p99' ? '≤' : '≥'} ${r.target}`;
  const basis = r.judgedOn === 'cpuEfficiency' ? ' (judged on CPU per request: a server was not saturated)' : '';
  const met = r.met === null ? '–' : `${r.met ? 'met' : '**not met**'}${basis}`;
  return `| ${r.label} | ${fixed(r.value, 2)} | ${r.metric === 'p99' ? '–' : fixed(r.cpuEfficiency, 2)} | ${target} | ${met} |`;
}

function floodRows(run: RunResult): string {
  const rows = run.scenarios.flatMap((s) => (s.floods ?? []).map((f) =>
    `| ${s.name} | ${f.name} | ${thousands(f.requestsPerSecond)} | ${counts(f.statusCounts)}${f.errors || f.timeouts ? `; errors ${f.errors}, timeouts ${f.timeouts}` : ''} |`));
  if (rows.length === 0) return '';
  return `\nThe floods next to \`under-attack/flooded\` (as their load generators saw them, whole run):

| row | flood | req/s | statuses |
|---|---|---|---|
${rows.join('\n')}
`;
}

function memoryLine(run: RunResult): string {
  const m = run.memory;
  if (m.maxGatehouseRssMB === null) return '';
  return `\nPeak RSS of a Gatehouse server: ${m.maxGatehouseRssMB.toFixed(0)} MB (${m.row}); issue 11's bound ≤ ${m.limitMB} MB: ${m.met ? 'met' : '**not met**'}.\n`;
}

/** What Gatehouse adds to a new TLS connection, next to what its one audited request costs without a handshake. */
function tlsGapLine(run: RunResult): string {
  const cpu = (name: string) => run.scenarios.find((s) => s.scenario === name)?.measured?.serverCpuMicrosPerRequest ?? null;
  const bare = cpu('tls-bare-ecdsa');
  const gatehouse = cpu('tls-gatehouse-ecdsa');
  const request = cpu('gatehouse-healthz');
  if (bare === null || gatehouse === null || request === null) return '';
  return `\nTLS (ECDSA): Gatehouse spends ${(gatehouse - bare).toFixed(0)} µs more CPU per new connection than the bare server; its one audited \`GET /healthz\` costs ${request.toFixed(0)} µs over keep-alive (gatehouse-healthz). For 0.9 × bare, the request would have to cost at most ${(bare / 9).toFixed(0)} µs (a ninth of the bare connection).\n`;
}

export function renderReadme(run: RunResult, resultFiles: { json: string; svg: string }): string {
  const m = run.machine;
  // The under-attack client is paced on purpose: its server is not meant to be saturated.
  const paced = new Set(SCENARIOS.filter((s) => s.kind === 'underAttack').map((s) => s.name));
  const unsaturated = run.scenarios.filter((s) => !paced.has(s.scenario) && (s.measured?.serverCpuUtilisation ?? 1) < UNSATURATED);
  return `# Gatehouse benchmarks

Measurement only: nothing here asserts a number, and \`npm test\` does not run it.
Issue 11 lists what to measure: items 1–8 (bare limit, baseline, Gatehouse read and write,
rejections, a peer Node stack, a legitimate user under attack, new TLS connections per second).

## How to run

\`\`\`sh
npm run bench                    # every scenario: 3 s warm-up + 10 s measured each (~5 minutes, at most ~10 on a busy machine)
npm run bench -- --quick         # 1 s warm-up + 3 s measured each, to check that it works
BENCH_DURATION_SECONDS=30 npm run bench   # longer measured runs (BENCH_WARMUP_SECONDS too)
BENCH_QUIET_WAIT_SECONDS=0 npm run bench  # do not wait for a busy machine to quieten (default: up to 20 s a scenario, 120 s a run)
npm run bench -- --only gatehouse-read,baseline   # some scenarios (README.md is then left alone)
npm run bench -- --only under-attack              # under-attack gives two rows: alone and flooded
npm run bench -- --only gatehouse-read --cpu-prof # also a V8 CPU profile of each server
node --import tsx bench/topFunctions.ts bench/results/profiles/gatehouse-read 15 -10  # top 15, last 10 s
\`\`\`

Each run writes \`bench/results/<time>.json\` (every number and the machine) and
\`bench/results/<time>.svg\` (requests/s per scenario), and rewrites this file.

Other benchmarks in this folder, run on their own and printing their numbers:
\`bench/audit/chain.ts\` (audit chain appends/s and verification speed),
\`bench/audit/requests.ts\` (per-request cost of the audit log over HTTPS) and
\`bench/ratelimit/run.ts\` (cost of a rejection, a legitimate client during a range flood).

## How it measures

- Every scenario's server runs in its own process, from an esbuild bundle of
  \`bench/servers/<x>.ts\` (\`bin/bundle.js\`, the way \`gatehouse serve\` runs: no tsx), pinned to core 0 with \`taskset\`; the load generator (autocannon 8, \`bench/loadgen.ts\`) runs
  in another process pinned to core 1. Without taskset or a second core nothing is pinned
  (the JSON says \`"pinned": false\`).
- HTTPS (the ECDSA P-256 development certificate and Gatehouse's TLS settings for every
  server), keep-alive, ${run.settings.connections} connections, no pipelining; a warm-up run, then the measured run.
- **req/s**: answered requests ÷ measured seconds. **p50/p99**: autocannon's latency (whole ms).
- **CPU µs/req**: the server process's utime + stime (\`/proc/<pid>/stat\`, all threads) over the
  measured run ÷ answered requests. **server CPU**: the same CPU time ÷ wall time; near 100%
  means the server core was the bottleneck (the kernel's loopback and TLS-socket work in
  softirq is not counted, so ~85–90% is already saturated). **loadgen CPU**: the same for the
  load generator. autocannon on one core tops out a little above 60k HTTPS requests/s on the
  2-core VM this was written on, about what the bare \`node:https\` servers reach: when its
  CPU is near 100%, that scenario's req/s is a lower bound and the CPU µs/req column (with
  its ratio) is the fairer comparison.
- **other procs**: CPU the machine's other processes used during the measured run, in cores
  (from \`/proc/stat\`); above ~0.1 the run was disturbed and its numbers are noisy. Before
  each scenario the runner waits (up to \`BENCH_QUIET_WAIT_SECONDS\`) for the rest of the
  machine to use less than 0.2 cores.
- **under-attack**: the legitimate client (\`bench/latencyProbe.ts\`) sends at a fixed pace
  and times every request from the moment it was due (so a stalled server is not hidden by
  the client waiting; sub-millisecond resolution). It runs alone, then again while the floods
  (\`bench/loadgen.ts\` with per-request variation, one process each) run; all load
  generators share the load generator's core. The flooded row's CPU µs/req divides the server's
  CPU by every request answered in the window, the floods' included; the alone row's, at 50
  requests/s, is mostly the server's background work (timers, load sampling), not the requests.
  The p99 ratio compares two small samples (500 requests each in a full run): on a shared
  machine one descheduling of the server moves the unloaded p99 a lot; look at p50 too.
- **TLS**: \`bench/handshakeLoadgen.ts\` opens ${HANDSHAKE_CONNECTIONS} connections at a time, each a full
  handshake (TLS 1.3, no session offered back: no resumption), one request with
  \`Connection: close\`, read to the end; a "request" in those rows is one connection. The client's
  own handshake work (key exchange, signature check) is heavy too: when the load generator's
  CPU is near 100%, compare CPU µs per connection. \`gatehouse-healthz\` is that request alone,
  over keep-alive: what Gatehouse adds to each connection besides the handshake.
- **RSS**: the server's peak resident memory (\`VmHWM\`), start-up included (every server runs
  from a bundle, as \`npm start\` runs Gatehouse; under tsx each would hold ~40 MB more).
- Each server gets a fresh data directory under the system temp dir, deleted afterwards.
- Shared machines are noisy (±10%): compare ratios within one run, not absolute numbers
  across runs.

## Scenarios

| item | name | what |
|---|---|---|
${SCENARIOS.map((s) => `| ${s.item} | ${s.name} | ${s.description} |`).join('\n')}

## Latest results

${run.startedAt}, ${run.mode} run (${run.settings.warmupSeconds} s warm-up, ${run.settings.durationSeconds} s measured), ${m.cpuModel}, ${m.cores} cores${m.pinned ? ' (server and load generator pinned)' : ' (not pinned)'},
Node ${m.nodeVersion}, ${m.platform}, commit ${m.commit ?? 'unknown'}. Files: [\`${resultFiles.json}\`](results/${resultFiles.json}), [\`${resultFiles.svg}\`](results/${resultFiles.svg}).

| item | scenario | req/s | p50 ms | p99 ms | CPU µs/req | server CPU | loadgen CPU | other procs (cores) | RSS MB | status expected; other |
|---|---|---|---|---|---|---|---|---|---|---|
${run.scenarios.map(scenarioRow).join('\n')}
${floodRows(run)}
| ratio | value | CPU per request (inverse) | issue 11 target | |
|---|---|---|---|---|
${run.ratios.map(ratioRow).join('\n')}
${memoryLine(run)}${tlsGapLine(run)}
${unsaturated.length > 0 ? `\nServer core not saturated (below ${UNSATURATED * 100}%) in ${unsaturated.map((s) => s.name).join(', ')}: the load generator, the kernel's
loopback work or other processes set the pace, so req/s understates that server; compare CPU µs/req.\n` : ''}
![requests/s per scenario](results/${resultFiles.svg})
`;
}
