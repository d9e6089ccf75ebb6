#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (TypeScript through tsx).
// Node 20's runner cannot glob by itself, so the files are listed here.
// GATEHOUSE_TEST_FILTER=<substring> runs only matching files (for local work, never in CI).
// `run-tests.mjs test/scale` runs the scale suite (PostgreSQL, Redis, HAProxy: npm run
// test:scale); the default run leaves that folder out, so `npm test` needs no services.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

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
// Besides the spec output, a JSON-lines report of every test's outcome for `gatehouse threats
// check` (which tests a mitigation names, and whether they ran and passed).
mkdirSync('test-results', { recursive: true });
const report = ['--test-reporter=./scripts/test-report-reporter.mjs', '--test-reporter-destination=test-results/tests.jsonl'];
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', ...report, `--test-concurrency=${root === 'test' ? 2 : 1}`, ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
