#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (TypeScript through tsx).
// Node 20's runner cannot glob by itself, so the files are listed here.
// GATEHOUSE_TEST_FILTER=<substring> runs only matching files (for local work, never in CI).
// `run-tests.mjs test/scale` runs the scale suite (PostgreSQL, Redis, HAProxy: npm run
// test:scale); the default run leaves that folder out.
//
// Some files need something besides Node and npm: Redis on 127.0.0.1:6379, Debian's
// Chromium, the slowhttptest tool (see REQUIREMENTS). Under CI (CI set) every file runs, and
// a missing one fails its tests: CI installs them all (.ci/run). Elsewhere, so that a fresh
// machine with only Node and npm passes `npm test`, files whose requirement is missing are
// not run, and the run says so at its start and its end, naming the files and what to
// install; `gatehouse threats check` then fails, since the threats those files prove were not shown.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const REDIS_TEST_URL = new URL(process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
/** What a test file needs, recognised from its source, and how to tell whether this machine has it. */
const REQUIREMENTS = [
  {
    name: `Redis at ${REDIS_TEST_URL.host}`,
    install: 'apt-get install redis-server (and start it)',
    needs: (source) => /\bREDIS_URL\b/.test(source),
    available: () => reachable(REDIS_TEST_URL.hostname, Number(REDIS_TEST_URL.port || 6379)),
  },
  {
    name: 'Chromium at /usr/bin/chromium',
    install: 'apt-get install chromium',
    needs: (source) => /playwright-core|virtualAuthenticator\.ts|e2e\/browser\.ts|from '\.\/browser\.ts'/.test(source),
    available: async () => existsSync('/usr/bin/chromium'),
  },
  {
    name: 'slowhttptest',
    install: 'apt-get install slowhttptest',
    needs: (source) => /slowClients\.ts|slowhttptest'/.test(source),
    available: async () => spawnSync('sh', ['-c', 'command -v slowhttptest'], { stdio: 'ignore' }).status === 0,
  },
];

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : findTests(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

const filter = process.env.GATEHOUSE_TEST_FILTER;
if (filter && process.env.CI) {
  console.error('GATEHOUSE_TEST_FILTER must not be set in CI');
  process.exit(2);
}
const root = process.argv[2] ?? 'test';
const files = findTests(root)
  .filter((f) => root !== 'test' || !f.startsWith(path.join('test', 'scale') + path.sep))
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const notRun = [];
if (!process.env.CI) {
  for (const requirement of REQUIREMENTS) {
    const needing = files.filter((f) => requirement.needs(readFileSync(f, 'utf8')));
    if (needing.length === 0 || (await requirement.available())) continue;
    notRun.push(`  ${requirement.name} is missing (${requirement.install}); not run: ${needing.join(', ')}`);
    for (const f of needing) files.splice(files.indexOf(f), 1);
  }
}
const notRunNotice = notRun.length === 0 ? '' : ['', 'NOT RUN on this machine (CI runs them, and fails them if something is missing):', ...notRun, ''].join('\n');
if (notRunNotice) console.log(notRunNotice);
// Besides the spec output, a JSON-lines report of every test's outcome for `gatehouse threats
// check` (which tests a mitigation names, and whether they ran and passed).
mkdirSync('test-results', { recursive: true });
const report = ['--test-reporter=./scripts/test-report-reporter.mjs', '--test-reporter-destination=test-results/tests.jsonl'];
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', ...report, `--test-concurrency=${root === 'test' ? 2 : 1}`, ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
if (notRunNotice) console.log(notRunNotice);
process.exit(result.status ?? 1);
