// nmap's scripts against the purpose server: ssl-enum-ciphers (least strength A),
// http-security-headers (HSTS, framing refused, nosniff), http-methods (TRACE not allowed) and
// http-cookie-flags. Service detection (-sV) is what tells nmap the port speaks TLS; the http-*
// scripts are forced (+) because nmap does not recognise Gatehouse as a known HTTP server.
//
// http-cookie-flags can only GET a path, and no GET sets a cookie (sessions start with
// POST /v1/sessions), so nmap is pointed at the UI page and reports no cookie; the session
// cookie's flags are checked here on the Set-Cookie of a real login instead.
import { spawn } from 'node:child_process';
import { timed, type AttackContext, type StepResult } from './report.ts';

/** A resource path with several methods: TRACE, PUT, DELETE and CONNECT are all tried on it. */
const METHODS_PATH = '/v1/spaces';
/** The browser UI page: the response that most needs the headers. */
const HEADERS_PATH = '/';
const SESSION_COOKIE = '__Host-gh_session';

function unescapeXml(s: string): string {
  return s.replace(/&#xa;/g, '\n').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The `<script id=…>` element of nmap's XML: its output text and inner XML, or undefined if it did not run. */
export function scriptResult(xml: string, id: string): { output: string; inner: string } | undefined {
  const m = new RegExp(`<script id="${id}" output="([^"]*)"(?:/>|>([\\s\\S]*?)</script>)`).exec(xml);
  return m ? { output: unescapeXml(m[1]!), inner: m[2] ?? '' } : undefined;
}

/** The `<elem>`s of the `<table key=…>` in a script's XML. */
export function tableElems(inner: string, key: string): string[] {
  const table = new RegExp(`<table key="${key}">([\\s\\S]*?)</table>`).exec(inner)?.[1] ?? '';
  return [...table.matchAll(/<elem>([^<]*)<\/elem>/g)].map((m) => unescapeXml(m[1]!));
}

/** The least strength ssl-enum-ciphers reports. */
export function leastStrength(xml: string): string | undefined {
  return /<elem key="least strength">([A-F])<\/elem>/.exec(scriptResult(xml, 'ssl-enum-ciphers')?.inner ?? '')?.[1];
}

function checkCiphers(xml: string): { ok: boolean; result: string } {
  const strength = leastStrength(xml);
  return { ok: strength === 'A', result: `least strength ${strength ?? 'not reported'} (need A)` };
}

function checkMethods(xml: string): { ok: boolean; result: string } {
  const script = scriptResult(xml, 'http-methods');
  if (!script) return { ok: false, result: 'http-methods did not run' };
  const supported = tableElems(script.inner, 'Supported Methods');
  const risky = tableElems(script.inner, 'Potentially risky methods');
  const trace = supported.includes('TRACE') || risky.includes('TRACE');
  return { ok: !trace, result: `${METHODS_PATH}: ${trace ? 'TRACE allowed' : 'no TRACE'}; supported ${supported.join(' ') || '(none listed)'}; risky ${risky.join(' ') || 'none'}` };
}

function checkHeaders(xml: string): { ok: boolean; result: string } {
  const script = scriptResult(xml, 'http-security-headers');
  if (!script) return { ok: false, result: 'http-security-headers did not run' };
  const has = (name: string) => new RegExp(`^\\s*${name}:`, 'm').test(script.output);
  const frameAncestors = /frame-ancestors 'none'|frame-ancestors 'self'/.test(script.output);
  const missing = [
    ...(has('Strict_Transport_Security') ? [] : ['Strict-Transport-Security']),
    ...(has('X_Frame_Options') || frameAncestors ? [] : ['X-Frame-Options or CSP frame-ancestors']),
    ...(has('X_Content_Type_Options') ? [] : ['X-Content-Type-Options']),
  ];
  return { ok: missing.length === 0, result: `${HEADERS_PATH}: ${missing.length === 0 ? 'HSTS, X-Frame-Options/frame-ancestors, nosniff present' : `missing ${missing.join(', ')}`}` };
}

function checkNmapCookies(xml: string): { ok: boolean; result: string } {
  const script = scriptResult(xml, 'http-cookie-flags');
  // The script prints nothing when it found no session cookie without its flags.
  if (script && /flag not set/.test(script.output)) return { ok: false, result: script.output.trim().replace(/\s+/g, ' ') };
  return { ok: true, result: `GET ${HEADERS_PATH}: no cookie without Secure/HttpOnly (no GET sets a cookie; see the login row)` };
}

/** The session cookie a real login set (seeded), with the attributes RFC 6265bis and API.md require. */
function checkLoginCookie(setCookie: readonly string[]): { ok: boolean; result: string } {
  const session = setCookie.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!session) return { ok: false, result: `no ${SESSION_COOKIE} in the login's Set-Cookie` };
  const attrs = session.split(';').slice(1).map((a) => a.trim().toLowerCase());
  const missing = [
    ...(attrs.includes('secure') ? [] : ['Secure']),
    ...(attrs.includes('httponly') ? [] : ['HttpOnly']),
    ...(attrs.includes('samesite=strict') ? [] : ['SameSite=Strict']),
    ...(attrs.includes('path=/') ? [] : ['Path=/']),
    ...(attrs.some((a) => a.startsWith('domain=')) ? ['no Domain (a __Host- cookie must not have one)'] : []),
  ];
  const others = setCookie.filter((c) => c !== session).map((c) => c.split('=')[0]).join(', ');
  return { ok: missing.length === 0, result: `${SESSION_COOKIE}: ${missing.length === 0 ? 'Secure; HttpOnly; SameSite=Strict; Path=/; no Domain' : `missing ${missing.join(', ')}`}${others ? ` (also set: ${others})` : ''}` };
}

/** Runs a command without blocking (nmap runs beside sqlmap); its output and exit status. */
function capture(command: string, args: readonly string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** One nmap run with the four scripts, parsed into rows. */
export async function runNmap(ctx: AttackContext): Promise<StepResult[]> {
  const args = [
    '-Pn', '-sV', '--version-light', '-p', String(ctx.server.port),
    '--script', 'ssl-enum-ciphers,+http-security-headers,+http-cookie-flags,+http-methods',
    '--script-args', `http-methods.url-path=${METHODS_PATH},http-methods.test-all=true,http-security-headers.path=${HEADERS_PATH},http-cookie-flags.path=${HEADERS_PATH},http-cookie-flags.cookie=${SESSION_COOKIE}`,
    '-oX', '-', '127.0.0.1',
  ];
  console.log(`== nmap ${args.join(' ')}`);
  let xml = '';
  const scan = await timed('nmap', 'scan', async () => {
    const run = await capture('nmap', args, 300_000);
    xml = run.stdout;
    return { ok: run.status === 0 && xml.includes('</nmaprun>'), result: run.status === 0 ? 'completed' : `exit ${run.status}: ${run.stderr}` };
  });
  const share = scan.seconds / 4;
  const row = (target: string, check: { ok: boolean; result: string }): StepResult => ({ tool: 'nmap', target, ...check, seconds: share });
  if (!scan.ok) return [scan];
  return [
    row('ssl-enum-ciphers', checkCiphers(xml)),
    row('http-security-headers', checkHeaders(xml)),
    row('http-methods', checkMethods(xml)),
    row('http-cookie-flags', checkNmapCookies(xml)),
    { tool: 'login Set-Cookie', target: 'POST /v1/sessions', ...checkLoginCookie(ctx.seeded.session.setCookie), seconds: 0 },
  ];
}
