// sqlmap (Debian) on every endpoint that takes input (sqlmapTargets.ts), level 3 / risk 2,
// --batch. sqlmap exits 0 whether or not it finds an injection, so the verdict is read from
// its results CSV (a data row is a finding) and its log: a 5xx other than 503 (shedding) is a
// finding too, a CRITICAL line or a point it never tested means the scan did not happen, and
// a 429 outside the routes that check a password or one-time code means the purpose server's
// limits were not opened far enough (the scan was refused, not run).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { timed, type AttackContext, type StepResult } from './report.ts';
import { send } from './client.ts';
import { requestArgs, sqlmapTargets, unmarked, type SqlmapTarget } from './sqlmapTargets.ts';

const LEVEL = '3';
const RISK = '2';
/** 4xx answers are the server refusing a payload, not an error to stop at. */
const IGNORED_CODES = '400,401,403,404,405,409,413,414,415,429';

/** sitecustomize.py there turns Nagle's algorithm off on sqlmap's sockets (40 ms per POST otherwise). */
const PYTHON_SHIM = fileURLToPath(new URL('./sqlmap-python', import.meta.url));

function runSqlmapProcess(args: readonly string[], logFile: string, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, 'w');
    const env = { ...process.env, PYTHONPATH: [PYTHON_SHIM, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) };
    const child = spawn('sqlmap', [...args], { stdio: ['ignore', out, out], env });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      fs.closeSync(out);
      resolve(code);
    });
  });
}

/** "400 (Bad Request) - 3479 times, 404 (Not Found) - 12 times" → { 400: 3479, 404: 12 }. */
export function httpCodeCounts(log: string): Record<number, number> {
  const line = /HTTP error codes detected during run:\s*\n([^\n]*)/.exec(log)?.[1] ?? '';
  return Object.fromEntries([...line.matchAll(/(\d{3}) \([^)]*\) - (\d+) times/g)].map((m) => [Number(m[1]), Number(m[2])]));
}

/**
 * The data rows of sqlmap's results CSV (its first line is the header), split into findings
 * and the candidates sqlmap's own confirmation rejected (Note "false positive or
 * unexploitable": it re-asks with random arithmetic, e.g. AND 48=48 against AND 48=49, and
 * the answers did not follow). Such a candidate on a path segment is typically the length
 * limit: a payload over maxLength answers 400, a shorter one 404, whatever its truth value.
 */
export function resultRows(csvFile: string): { findings: string[]; rejected: string[] } {
  const rows = fs.existsSync(csvFile) ? fs.readFileSync(csvFile, 'utf8').split(/\r?\n/).slice(1).filter((l) => l.trim() !== '') : [];
  const rejected = rows.filter((r) => /,false positive or unexploitable\s*$/.test(r));
  return { findings: rows.filter((r) => !rejected.includes(r)), rejected };
}

/** sqlmap's CRITICAL lines that mean the scan did not run (others, e.g. "heavily dynamic", only inform). */
const FATAL = /unable to connect|connection (?:refused|timed out|reset)|not responding|aborted|no parameter\(s\) found/i;

/**
 * The status of the request as sent without injection, when it is a success: given to sqlmap
 * as `--code`, it makes a boolean test's "true" mean "answered like the original" instead of
 * "a body alike". Otherwise a payload's length alone (a path segment over its maxLength is
 * 400, a shorter one 404) looks like a true/false difference, and sqlmap, after rejecting that
 * as a false positive, stops testing the point. Not probed for destructive targets (the probe
 * would consume what sqlmap's first request needs) nor kept for failures (a login bypass would
 * turn a 401 into a 201, which --code 401 would read as false).
 */
async function successCode(target: SqlmapTarget, ctx: AttackContext): Promise<number | undefined> {
  if (target.destructive) return undefined;
  const { method, path: probePath, headers, body } = unmarked(target.request);
  const res = await send(ctx.server, { method, path: probePath, headers, ...(body !== undefined ? { body } : {}) });
  return res.status >= 200 && res.status < 300 ? res.status : undefined;
}

async function scan(target: SqlmapTarget, index: number, ctx: AttackContext): Promise<{ ok: boolean; result: string }> {
  const dir = path.join(ctx.workDir, 'sqlmap', String(index).padStart(2, '0'));
  fs.mkdirSync(dir, { recursive: true });
  const csv = path.join(dir, 'results.csv');
  const logFile = path.join(dir, 'sqlmap.log');
  const trueCode = await successCode(target, ctx);
  const args = [
    ...requestArgs(target.request, ctx.server.port),
    ...(target.extraArgs ?? []),
    ...(trueCode ? ['--code', String(trueCode)] : []),
    '--batch', '--level', LEVEL, '--risk', RISK, '--force-ssl', '--disable-coloring', '--flush-session',
    '--results-file', csv, '--output-dir', path.join(dir, 'out'), '--ignore-code', IGNORED_CODES,
    '--timeout', '15', '--retries', '1', '--skip-waf',
    // Where a wrong guess is a failed login: each payload from another (forwarded) address, so
    // the per-address login throttle does not answer every payload alike (the server trusts
    // X-Forwarded-For from 127.0.0.1 for this run).
    ...(target.checksSecret ? ['--tamper', 'xforwardedfor'] : []),
  ];
  const exit = await runSqlmapProcess(args, logFile, ctx.mode === 'full' ? 900_000 : 180_000);
  const log = fs.readFileSync(logFile, 'utf8');
  const { findings, rejected } = resultRows(csv);
  const codes = httpCodeCounts(log);
  const tested = (log.match(/testing for SQL injection on /g) ?? []).length;
  const critical = log.split('\n').filter((l) => l.includes('[CRITICAL]') && FATAL.test(l));
  // 503 is load shedding (documented, with Retry-After); a 503 for a failing audit write shows
  // as an error in the server's log, which verify:attacks checks at the end.
  const serverErrors = Object.entries(codes).filter(([c]) => Number(c) >= 500 && Number(c) !== 503);
  const throttled = codes[429] ?? 0;
  // sqlmap counts only its 4xx/5xx answers. A few 429s (a sequential scan a little over the
  // bulk plan's 100 a second) cost a few payloads; more than one in twenty, and the scan was
  // refused rather than run.
  const answered = Object.values(codes).reduce((a, b) => a + b, 0);
  const problems = [
    ...findings.map((r) => `INJECTION ${r}`),
    ...serverErrors.map(([c, n]) => `${n}× HTTP ${c}`),
    ...critical.map((l) => l.replace(/^.*\[CRITICAL\]\s*/, 'sqlmap: ')),
    ...(tested < target.points.length ? [`tested ${tested} of ${target.points.length} points (log: ${logFile})`] : []),
    ...(!target.checksSecret && throttled > answered / 20 ? [`${throttled}× 429 of ${answered} counted answers: rate limited, the scan was refused`] : []),
    ...(exit !== 0 ? [`sqlmap exit ${exit}`] : []),
  ];
  const answers = Object.entries(codes).map(([c, n]) => `${n}×${c}`).join(' ') || 'only 2xx';
  const note = [
    ...(throttled > 0 && target.checksSecret ? ['429s: the failed-login throttle on a fixed account name, by design'] : []),
    ...(throttled > 0 && !target.checksSecret && throttled <= answered / 20 ? [`${throttled} payloads met 429 (the user's plan)`] : []),
    ...(rejected.length > 0 ? [`${rejected.length} candidate(s) sqlmap's own confirmation rejected as false positive`] : []),
  ].map((n) => ` (${n})`).join('');
  const result = `${tested} points${trueCode ? ` (--code ${trueCode})` : ''}: ${problems.length === 0 ? 'no injection' : problems.join('; ')}; 4xx/5xx answers: ${answers}${note}`;
  return { ok: problems.length === 0, result };
}

/** Scans every target of the mode, one after the other (the destructive ones last). */
export async function runSqlmap(ctx: AttackContext): Promise<StepResult[]> {
  const targets = sqlmapTargets(ctx.routes, ctx.seeded, ctx.mode);
  const points = targets.reduce((n, t) => n + t.points.length, 0);
  console.log(`== sqlmap --level ${LEVEL} --risk ${RISK}: ${targets.length} targets, ${points} injection points`);
  const rows: StepResult[] = [];
  for (const [i, target] of targets.entries()) {
    const row = await timed('sqlmap', target.label, () => scan(target, i, ctx));
    console.log(`  ${row.ok ? 'ok  ' : 'FAIL'} ${target.label} (${target.points.map((p) => `${p.place}:${p.name}`).join(', ')}) ${row.seconds.toFixed(1)} s${row.ok ? '' : `: ${row.result}`}`);
    rows.push(row);
  }
  return rows;
}
