// `npm run verify:attacks [-- --bounded] [-- --only nmap,slowhttp,sqlmap,fuzz] [-- --seed N]`:
// independent attack tools against a Gatehouse started for the purpose (its own process, a
// fresh data dir, seeded through the public API with users, tokens, a space with messages and
// members, a contact pair, a capability and a browser session):
//   nmap       ssl-enum-ciphers (least strength A), http-security-headers, http-methods (no
//              TRACE), http-cookie-flags, and the login's session cookie flags;
//   slowhttp   slowhttptest slowloris and slow body while a normal client keeps being served;
//   sqlmap     every endpoint that takes input, level 3 / risk 2: no injection, no 5xx;
//   fuzz       fast-check over every route and over raw HTTP framing: no 5xx, only
//              problem+json errors with registered codes, no crash;
// then the audit chain must verify, through the API and with the command line after stop.
// Full mode (default) scans everything (about 20 minutes on 2 cores); --bounded (CI) scans one
// endpoint per family with sqlmap and runs shorter attacks and fewer fuzz cases (about 4 min).
// Needs Debian's sqlmap, slowhttptest and nmap. Exits 1 on any finding, 2 if a tool is missing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyThroughApi, verifyThroughCli } from './attacks/auditChain.ts';
import { runFuzz } from './attacks/fuzz.ts';
import { runNmap } from './attacks/nmap.ts';
import { formatSummary, type AttackContext, type StepResult } from './attacks/report.ts';
import { readRoutes } from './attacks/routes.ts';
import { SEED_ADMINS, SEED_USERS, seed } from './attacks/seed.ts';
import { requireTools, startPurposeServer } from './attacks/server.ts';
import { runSlowHttp } from './attacks/slowhttp.ts';
import { runSqlmap } from './attacks/sqlmap.ts';

const STEPS = {
  nmap: runNmap,
  slowhttp: runSlowHttp,
  sqlmap: runSqlmap,
  fuzz: runFuzz,
} as const satisfies Record<string, (ctx: AttackContext) => Promise<StepResult[]>>;
type StepName = keyof typeof STEPS;

/**
 * How the purpose server differs from the defaults, and why: the scanners send thousands of
 * requests a minute from one address, which the default limits would answer with 429 (a scan
 * that never reached the code under test). The failed-login throttle cannot be opened by
 * configuration; X-Forwarded-For is believed from loopback so that sqlmap's payloads on the
 * password and one-time-code fields can come from other addresses (its xforwardedfor tamper).
 */
const SCANNER_SETTINGS: Readonly<Record<string, string>> = {
  GATEHOUSE_RATE_GLOBAL_PER_SECOND: '100000',
  GATEHOUSE_RATE_ADDRESS_PER_SECOND: '100000',
  GATEHOUSE_RATE_RANGE_PER_SECOND: '100000',
  GATEHOUSE_RATE_USER_PER_SECOND: '100000',
  GATEHOUSE_RATE_CAPABILITY_PER_SECOND: '100000',
  // The largest plan (6000 a minute); beyond it a request waits for quota instead of a 429.
  GATEHOUSE_RATE_USER_PLANS: [...SEED_USERS, ...SEED_ADMINS.map((a) => a.username)].map((u) => `${u}=bulk`).join(','),
  GATEHOUSE_RATE_QUEUE_MAX_WAIT_MS: '5000',
  // A 2-core machine shared with other jobs stalls the process for half a second at times; the
  // default 500 ms would then answer 503 to scans that say nothing about the input under test.
  GATEHOUSE_SHED_EVENT_LOOP_DELAY_MS: '2000',
  GATEHOUSE_TRUST_PROXY: '127.0.0.1',
};

/**
 * The steps in order, nmap beside sqlmap when both run: nmap mostly waits on its probes and
 * judges nothing by timing, while slowhttptest's normal client and the fuzz do, so they run alone.
 */
function stepGroups(only: readonly StepName[]): StepName[][] {
  const together = only.includes('nmap') && only.includes('sqlmap');
  return only.filter((name) => !(together && name === 'nmap')).map((name) => (together && name === 'sqlmap' ? ['nmap', 'sqlmap'] : [name]));
}

function parseOptions() {
  const { values } = parseArgs({
    options: { bounded: { type: 'boolean' }, only: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
    process.exit(0);
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(STEPS);
  const unknown = only.filter((s) => !(s in STEPS));
  if (unknown.length > 0) throw new Error(`--only: unknown step ${unknown.join(', ')} (steps: ${Object.keys(STEPS).join(', ')})`);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error('--seed takes a whole number');
  return { mode: values.bounded ? 'bounded' as const : 'full' as const, only: only as StepName[], seed };
}

async function main(): Promise<number> {
  const options = parseOptions();
  const tools = [
    ...(options.only.includes('sqlmap') ? [{ command: 'sqlmap', pkg: 'sqlmap' }] : []),
    ...(options.only.includes('slowhttp') ? [{ command: 'slowhttptest', pkg: 'slowhttptest' }] : []),
    ...(options.only.includes('nmap') ? [{ command: 'nmap', pkg: 'nmap' }] : []),
  ];
  requireTools('verify:attacks', tools);
  const started = performance.now();
  console.log(`verify:attacks, ${options.mode} mode: ${options.only.join(', ')}; fuzz seed ${options.seed}`);
  console.log(`purpose server settings (so that the scanners are not simply answered 429): ${Object.entries(SCANNER_SETTINGS).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const server = await startPurposeServer({ name: 'gatehouse-attacks', env: SCANNER_SETTINGS, admins: SEED_ADMINS, output: 'file' });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-attacks-work-'));
  const rows: StepResult[] = [];
  try {
    const seeded = await seed(server);
    const routes = await readRoutes(server);
    console.log(`server ${server.url} (data dir ${server.dataDir}); ${routes.length} routes in /openapi.json; seeded ${SEED_USERS.length + SEED_ADMINS.length} users`);
    const ctx: AttackContext = { mode: options.mode, server, seeded, routes, workDir, fuzzSeed: options.seed };
    for (const group of stepGroups(options.only)) {
      for (const result of await Promise.all(group.map((name) => STEPS[name](ctx)))) rows.push(...result);
      if (!server.alive()) {
        rows.push({ tool: 'server', target: `after ${group.join(' and ')}`, ok: false, result: `the server process died (exit ${server.exitCode()}): ${server.logTail(5)}`, seconds: 0 });
        break;
      }
    }
    if (server.alive()) rows.push(await verifyThroughApi(ctx));
    await server.stop();
    rows.push(await verifyThroughCli(ctx));
    const errors = server.errorLines();
    for (const line of errors.slice(0, 5)) console.log(`  server error: ${line.slice(0, 1000)}`);
    rows.push({ tool: 'server log', target: 'level error and above', ok: errors.length === 0, result: errors.length === 0 ? 'none' : `${errors.length} error lines (first ones printed above)`, seconds: 0 });
  } finally {
    const log = server.logTail(30);
    if (rows.some((r) => !r.ok) && log) console.log(`== the server's last log lines\n${log}`);
    await server.dispose();
    if (rows.every((r) => r.ok)) fs.rmSync(workDir, { recursive: true, force: true });
    else console.log(`== the tools' output (sqlmap logs and results) is kept in ${workDir}`);
  }
  const failed = rows.filter((r) => !r.ok);
  console.log(`\n== verify:attacks summary (${options.mode} mode, ${((performance.now() - started) / 1000).toFixed(0)} s, fuzz seed ${options.seed})`);
  console.log(formatSummary(rows));
  console.log(failed.length === 0 ? '\nverify:attacks passed' : `\nverify:attacks FAILED: ${failed.length} finding(s)`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main().catch((err: unknown) => {
  // A wrong invocation says what was wrong; anything else shows where it broke.
  const usage = err instanceof Error && (err.message.startsWith('--') || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'));
  console.error(`verify:attacks could not run: ${usage ? (err as Error).message : (err as Error).stack ?? err}`);
  return 2;
});
