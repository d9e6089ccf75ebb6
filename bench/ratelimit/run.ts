// Benchmark (not a test): what a rate-limited rejection costs against a served request, and a
// legitimate client's latency while one address range floods the server (issue 6).
//   node --import tsx bench/ratelimit/run.ts [seconds per run, default 8]
// Server in a child process (its CPU measured with process.cpuUsage), load from autocannon
// in this one. Numbers on a shared machine are noisy: compare the ratios within one run.
import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';

const SECONDS = Number(process.argv[2] ?? 8);

interface Started { child: ChildProcess; url: string }

function startServer(config: object): Promise<Started> {
  const child = fork(new URL('./server.ts', import.meta.url).pathname, [JSON.stringify(config)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve) => child.once('message', (m: { url: string }) => resolve({ child, url: m.url })));
}

function cpuMicros(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m: { cpu: NodeJS.CpuUsage }) => resolve(m.cpu.user + m.cpu.system));
    child.send('cpu');
  });
}

async function stop(s: Started): Promise<void> {
  s.child.send('stop');
  await new Promise((r) => s.child.once('exit', r));
}

function load(url: string, options: Partial<autocannon.Options> = {}): Promise<autocannon.Result> {
  return autocannon({ url: `${url}/healthz`, connections: 50, duration: SECONDS, ...options });
}

/** Served or rejected: requests/s and server CPU µs per request. */
async function costOf(label: string, config: object) {
  const s = await startServer(config);
  await load(s.url, { duration: 1 }); // warm-up
  const before = await cpuMicros(s.child);
  const r = await load(s.url);
  const cpu = (await cpuMicros(s.child)) - before;
  await stop(s);
  const statuses = Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count]));
  const row = { label, reqPerSec: Math.round(r.requests.average), cpuMicrosPerReq: +(cpu / r.requests.total).toFixed(1), statuses };
  console.log(JSON.stringify(row));
  return row;
}

const relaxed = {};
const served = await costOf('served (GET /healthz, limits not reached)', relaxed);
const rejected = await costOf('rejected (every request 429 at the address layer)', { rateLimit: { globalPerSecond: 1e6, addressPerSecond: 0.001, userPerSecond: 1e6, maxTrackedKeys: 100_000 } });
console.log(`served/rejected CPU cost ratio: ${(served.cpuMicrosPerReq / rejected.cpuMicrosPerReq).toFixed(2)}`);

// Fairness: behind a trusted proxy (127.0.0.1), a flood from 10.0.0.0/24 (256 addresses, one
// range) at full speed, while a legitimate client from 192.0.2.10 sends 20 requests/s.
const fair = { trustProxy: ['127.0.0.1'], rateLimit: { globalPerSecond: 1e6, addressPerSecond: 50, userPerSecond: 1e6, maxTrackedKeys: 100_000 }, rateLayers: { rangePerSecond: 200 } };
const legit = (url: string) => load(url, { connections: 1, overallRate: 20, headers: { 'x-forwarded-for': '192.0.2.10' } });
{
  const s = await startServer(fair);
  const alone = await legit(s.url);
  let n = 0;
  const flood = autocannon({
    url: `${s.url}/healthz`, connections: 64, duration: SECONDS + 2,
    setupClient: (client) => client.setHeaders({ 'x-forwarded-for': `10.0.0.${n++ % 256}` }),
  });
  await new Promise((r) => setTimeout(r, 1000));
  const under = await legit(s.url);
  const f = await flood;
  await stop(s);
  const floodStatuses = Object.fromEntries(Object.entries(f.statusCodeStats).map(([k, v]) => [k, v.count]));
  console.log(JSON.stringify({ label: 'legitimate client alone', p50: alone.latency.p50, p99: alone.latency.p99, non2xx: alone.non2xx }));
  console.log(JSON.stringify({ label: 'legitimate client during the flood', p50: under.latency.p50, p99: under.latency.p99, non2xx: under.non2xx }));
  console.log(JSON.stringify({ label: 'flood from 10.0.0.0/24', reqPerSec: Math.round(f.requests.average), statuses: floodStatuses }));
}
