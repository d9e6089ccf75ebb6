// Property-based fuzzing (fast-check) of every route in the live OpenAPI document, through
// real HTTPS, with valid, foreign, half and forged credentials (fuzzInputs.ts), and of the
// HTTP framing itself on raw TLS connections. The properties:
//   - no status of 500 or more, except 503 `overloaded` with Retry-After: the documented answer
//     of load shedding and of a full password-hashing queue (API.md), which is the server
//     protecting itself, not failing; any other 5xx (500, 503 audit_unavailable, …) fails;
//   - every error (4xx) is application/problem+json whose `code` is in the registry
//     (src/errors/codes.ts) with that status, and no body carries a stack trace;
//   - every answer carries Strict-Transport-Security and X-Content-Type-Options;
//   - every request is answered, within 10 s, and the server process stays alive.
// Each request has a connection of its own, so that a counterexample replays on its own.
// Runs are seeded: a failure prints the seed, the shrunk counterexample and how to replay it.
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import fc from 'fast-check';
import { ERROR_CODES } from '../../src/errors/codes.ts';
import { send, type RawResponse } from './client.ts';
import { rawRequestArbitrary, requestArbitrary, type FuzzRequest } from './fuzzInputs.ts';
import { timed, type AttackContext, type StepResult } from './report.ts';

const STACK_TRACE = /\n\s+at .+:\d+:\d+|\.ts:\d+:\d+/;

/** What is wrong with one answer, or undefined when it is fine. */
export function answerProblem(method: string, res: Pick<RawResponse, 'status' | 'headers' | 'text' | 'json'>): string | undefined {
  const type = String(res.headers['content-type'] ?? '');
  const body = res.json as { code?: string; status?: number } | undefined;
  const registered = body?.code !== undefined && Object.hasOwn(ERROR_CODES, body.code) ? ERROR_CODES[body.code as keyof typeof ERROR_CODES] : undefined;
  // A HEAD answer has no body to read the code from: its headers must say the same.
  const shed = method === 'HEAD' ? type.startsWith('application/problem+json') : body?.code === 'overloaded';
  if (res.status === 503 && shed && res.headers['retry-after'] !== undefined) return undefined;
  if (res.status >= 500) return `status ${res.status} ${res.text.slice(0, 200)}`;
  if (!res.headers['strict-transport-security'] || !res.headers['x-content-type-options']) return `status ${res.status} without HSTS or nosniff`;
  if (STACK_TRACE.test(res.text)) return `a stack trace in the body: ${res.text.slice(0, 200)}`;
  if (res.status < 400) return undefined;
  if (!type.startsWith('application/problem+json')) return `status ${res.status} as ${type || 'no content type'}: ${res.text.slice(0, 120)}`;
  if (method === 'HEAD') return undefined;
  if (!registered) return `status ${res.status} with code ${JSON.stringify(body?.code)}, not in the registry`;
  if (registered.status !== res.status || body?.status !== res.status) return `code ${body?.code} is ${registered.status} in the registry, answered ${res.status} (body status ${body?.status})`;
  return undefined;
}

/** Counts of answers by status, for the summary. */
class Tally {
  readonly byStatus = new Map<number, number>();
  add(status: number): void { this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1); }
  get total(): number { return [...this.byStatus.values()].reduce((a, b) => a + b, 0); }
  toString(): string {
    const classes = new Map<string, number>();
    for (const [s, n] of this.byStatus) classes.set(`${String(s)[0]}xx`, (classes.get(`${String(s)[0]}xx`) ?? 0) + n);
    return [...classes].sort().map(([c, n]) => `${n}×${c}`).join(' ');
  }
}

/** The request as bytes on the wire (for the raw second try after a reset). */
function serialize(req: FuzzRequest): Buffer {
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body, 'utf8');
  const headers = { host: 'localhost', ...req.headers, ...(req.body !== undefined ? { 'content-length': String(body.length) } : {}), connection: 'close' };
  const head = `${req.method} ${req.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

async function checkRequest(ctx: AttackContext, tally: Tally, req: FuzzRequest): Promise<void> {
  let res: Pick<RawResponse, 'status' | 'headers' | 'text' | 'json'> | undefined;
  try {
    res = await send(ctx.server, { method: req.method, path: req.path, headers: req.headers, ...(req.body !== undefined ? { body: req.body } : {}) }, { timeoutMs: 10_000 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // The client refused to send it (a header Node will not write): not the server's doing.
    if (code === 'ERR_INVALID_CHAR' || code === 'ERR_UNESCAPED_CHARACTERS' || code === 'ERR_INVALID_HTTP_TOKEN') return;
    if (!ctx.server.alive()) throw new Error(`the server died (exit ${ctx.server.exitCode()}):\n${ctx.server.logTail()}`);
    // A server that answers before reading an unsolicited body, then closes, resets the
    // connection under a client still sending (no lingering close); Node's client then drops
    // the answer. Sent again on a raw connection, what came back before the reset is judged.
    if (code !== 'ECONNRESET' && code !== 'EPIPE') throw new Error(`no answer: ${(err as Error).message}`);
    res = parseRawAnswer(await rawExchange(ctx, serialize(req)));
    if (!res) throw new Error(`no answer (connection reset, also on a second, raw try): ${(err as Error).message}`);
  }
  tally.add(res.status);
  const problem = answerProblem(req.method, res);
  if (problem) throw new Error(problem);
}

/** Sends bytes on a fresh TLS connection; resolves with what came back before the close or a 3 s quiet. */
function rawExchange(ctx: AttackContext, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: ctx.server.port, ca: ctx.server.ca, servername: 'localhost' }, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
    socket.setTimeout(3000, () => { socket.destroy(); done(); });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', done);
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? done() : reject(err)));
  });
}

/** A raw answer parsed enough to judge it (status line, headers, body). */
export function parseRawAnswer(text: string): Pick<RawResponse, 'status' | 'headers' | 'text' | 'json'> | undefined {
  const [head, ...rest] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head ?? '')?.[1]);
  if (!status) return undefined;
  const headers = Object.fromEntries((head ?? '').split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const body = rest.join('\r\n\r\n');
  let json: unknown;
  try { json = JSON.parse(body); } catch { json = undefined; }
  return { status, headers, text: body, json };
}

async function checkRaw(ctx: AttackContext, tally: Tally, bytes: string): Promise<void> {
  const answer = await rawExchange(ctx, Buffer.from(bytes, 'latin1'));
  if (!ctx.server.alive()) throw new Error(`the server died (exit ${ctx.server.exitCode()}):\n${ctx.server.logTail()}`);
  if (answer === '') return tally.add(0); // closed without a word: acceptable for bytes that are no request
  const parsed = parseRawAnswer(answer);
  if (!parsed) throw new Error(`an answer that is not HTTP/1.1: ${JSON.stringify(answer.slice(0, 120))}`);
  tally.add(parsed.status);
  const problem = answerProblem('GET', parsed);
  if (problem) throw new Error(problem);
}

/** The whole failure report (counterexamples can be megabytes) goes to a file under test-results/. */
function saveCounterexample(name: string, message: string): string {
  const file = path.resolve('test-results', `verify-attacks-${name}-counterexample.txt`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, message);
  return file;
}

async function runProperty<T>(ctx: AttackContext, name: string, arbitrary: fc.Arbitrary<T>, numRuns: number, check: (value: T) => Promise<void>): Promise<{ ok: boolean; result: string }> {
  const details = await fc.check(fc.asyncProperty(arbitrary, (value) => check(value)), { seed: ctx.fuzzSeed, numRuns });
  if (!details.failed) return { ok: true, result: `${details.numRuns} runs (seed ${ctx.fuzzSeed})` };
  const report = fc.defaultReportMessage(details) ?? 'failed';
  const file = saveCounterexample(name, report);
  const replay = `npm run verify:attacks -- --only fuzz --seed ${ctx.fuzzSeed}`;
  console.log(`  fuzz ${name} FAILED (replay: ${replay}):\n${report.slice(0, 3000)}${report.length > 3000 ? `\n  … (the whole report: ${file})` : ''}`);
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return { ok: false, result: `counterexample after ${details.numRuns} runs (seed ${ctx.fuzzSeed}, report ${path.relative('.', file)}): ${error.split('\n')[0]!.slice(0, 160)}` };
}

/** The two fuzz properties: HTTP requests to every route, then malformed HTTP on raw connections. */
export async function runFuzz(ctx: AttackContext): Promise<StepResult[]> {
  const full = ctx.mode === 'full';
  const runs = full ? 20_000 : 1_000;
  const rawRuns = full ? 2_000 : 150;
  const routes = ctx.routes;
  console.log(`== fuzz: ${runs} requests over ${routes.length} routes, ${rawRuns} raw connections (seed ${ctx.fuzzSeed})`);
  const tally = new Tally();
  const rawTally = new Tally();
  const requests = fc.oneof(...routes.map((r) => requestArbitrary(r, ctx.seeded)));
  const rows = [
    await timed('fast-check', `every route (${routes.length}), HTTPS`, async () => {
      const outcome = await runProperty(ctx, 'http', requests, runs, (req) => checkRequest(ctx, tally, req));
      return { ...outcome, result: `${outcome.result}; answers ${tally}` };
    }),
    await timed('fast-check', 'malformed HTTP, raw TLS', async () => {
      const outcome = await runProperty(ctx, 'raw', rawRequestArbitrary, rawRuns, (bytes) => checkRaw(ctx, rawTally, bytes));
      return { ...outcome, result: `${outcome.result}; answers ${rawTally} (0xx: closed without an answer)` };
    }),
  ];
  return rows;
}
