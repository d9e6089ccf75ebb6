// Per-request cost of the audit log over real HTTPS (issue 5, "Speed"): the real server
// (`node bin/gatehouse.js serve`, a child process) under autocannon, for a public read
// (two buffered records), an authenticated read (two buffered records) and a message post
// (attempt record committed before the handler, outcome committed before the response).
// Not a test: prints numbers.   node --import tsx bench/audit/requests.ts [seconds=5]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { basicAuth, passwordFor } from '../../test/helpers/api.ts';

const SECONDS = Number(process.argv[2] ?? 5);
// autocannon ships no type declarations: the little of it used here, typed where it is used.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string; method: string; headers: Record<string, string>; body?: string; connections: number; duration: number;
}) => Promise<{ '2xx': number; non2xx: number; latency: { p50: number; p99: number } }>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
const port = 20000 + Math.floor(Math.random() * 20000);
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_')));
const child = spawn(process.execPath, ['bin/gatehouse.js', 'serve'], {
  env: { ...env, GATEHOUSE_DATA_DIR: dir, GATEHOUSE_PORT: String(port), GATEHOUSE_LOG_LEVEL: 'silent',
    GATEHOUSE_RATE_GLOBAL_PER_SECOND: '1000000', GATEHOUSE_RATE_ADDRESS_PER_SECOND: '1000000', GATEHOUSE_RATE_USER_PER_SECOND: '1000000' },
  stdio: 'inherit',
});

function request(method: string, url: string, headers: Record<string, string> = {}, body?: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request({ host: '127.0.0.1', port, method, path: url, rejectUnauthorized: false,
      headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text ? JSON.parse(text) : undefined));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

try {
  for (let i = 0; ; i++) {
    try { await request('GET', '/healthz'); break; } catch { if (i > 150) throw new Error('server did not start'); await new Promise((r) => setTimeout(r, 100)); }
  }
  await request('POST', '/v1/users', {}, { username: 'bencher', password: passwordFor('bencher') });
  const { token } = await request('POST', '/v1/tokens', { authorization: basicAuth('bencher', passwordFor('bencher')) }, { name: 'bench' });
  const auth = { authorization: `Bearer ${token}` };
  const space = await request('POST', '/v1/spaces', auth, { name: 'bench' });
  const scenarios = [
    { name: 'GET /healthz (public; 2 buffered records)', method: 'GET', path: '/healthz', headers: {} },
    { name: 'GET messages (bearer; 2 buffered records)', method: 'GET', path: `/v1/spaces/${space.id}/messages?limit=1`, headers: auth },
    { name: 'POST message (bearer; 2 committed records)', method: 'POST', path: `/v1/spaces/${space.id}/messages`, headers: { ...auth, 'content-type': 'application/json' }, body: '{"text":"bench"}' },
  ];
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, 50 connections, ${SECONDS} s each, server in a child process\n`);
  for (const s of scenarios) {
    const result = await autocannon({ url: `https://127.0.0.1:${port}${s.path}`, method: s.method, headers: s.headers, ...(s.body ? { body: s.body } : {}), connections: 50, duration: SECONDS });
    const ok = result['2xx'];
    console.log(`${s.name.padEnd(46)} ${Math.round(ok / SECONDS).toLocaleString('en-US').padStart(8)} req/s 2xx   p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}`);
  }
} finally {
  child.kill('SIGTERM');
}
