/**
 * The audit chain benchmark's result (bench/audit/chain.ts writes it to
 * bench/results/audit-chain.json) and its section of bench/README.md. `npm run bench` includes
 * the latest one in its run JSON and README through `auditChainSection`, so the chain's numbers
 * are reported with the request scenarios without bench/run.ts measuring them itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MachineInfo } from '../machineInfo.ts';

/** Issue 5 item 7 / issue 11: appends and verification, records per second. */
export const CHAIN_TARGETS = Object.freeze({ appendPerSecond: 20_000, verifyPerSecond: 200_000 });

/** Median, fastest and slowest of the runs of one measurement. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ChainMeasurement {
  readonly dialect: 'sqlite' | 'postgres';
  /** `append`: SqlAuditSink.append in batches of `batch`; `verify`: verifyStoredLog over `records`; `verify-pure`: verifyChain in memory. */
  readonly operation: 'append' | 'verify' | 'verify-pure' | 'plain-insert';
  readonly batch?: number;
  readonly records: number;
  /** Records over wall time. */
  readonly recordsPerSecond: Spread;
  /** Records over this process's CPU time (user + system): steadier on a shared machine; excludes the PostgreSQL server's CPU. */
  readonly recordsPerCpuSecond: Spread;
  /** CPU the rest of the machine used meanwhile, in cores (median): above ~0.2 the wall numbers are disturbed. */
  readonly otherProcessesCpuCores: number | null;
}

export interface ChainResult {
  readonly startedAt: string;
  readonly runs: number;
  readonly machine: MachineInfo;
  readonly targets: typeof CHAIN_TARGETS;
  readonly measurements: readonly ChainMeasurement[];
  /** Why a dialect was not measured (e.g. no PostgreSQL URL given). */
  readonly skipped?: Readonly<Record<string, string>>;
}

export const CHAIN_RESULT_FILE = 'audit-chain.json';
const START = '<!-- audit-chain:start -->';
const END = '<!-- audit-chain:end -->';

/** The latest chain result in `resultsDir`, if the benchmark has been run. */
export function readChainResult(resultsDir: string): ChainResult | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(resultsDir, CHAIN_RESULT_FILE), 'utf8')) as ChainResult;
  } catch {
    return undefined;
  }
}

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

function label(m: ChainMeasurement): string {
  switch (m.operation) {
    case 'append': return `append, batches of ${m.batch}`;
    case 'plain-insert': return `plain INSERT without chain, batches of ${m.batch}`;
    case 'verify': return 'verify from the database';
    case 'verify-pure': return 'verify in memory (no database)';
  }
}

function target(m: ChainMeasurement, targets: typeof CHAIN_TARGETS): string {
  if (m.operation === 'append') return `≥ ${thousands(targets.appendPerSecond)}`;
  if (m.operation === 'verify') return `≥ ${thousands(targets.verifyPerSecond)}`;
  return '–';
}

/** The README section for a chain result, between markers so it can be replaced in place. */
export function renderChainSection(result: ChainResult | undefined): string {
  if (!result) return `${START}\n## Audit chain\n\nNot measured yet: \`node --import tsx bench/audit/chain.ts\`.\n${END}\n`;
  const rows = result.measurements.map((m) => `| ${m.dialect} | ${label(m)} | ${thousands(m.recordsPerSecond.median)} | ${thousands(m.recordsPerSecond.min)}–${thousands(m.recordsPerSecond.max)} | ${thousands(m.recordsPerCpuSecond.median)} | ${target(m, result.targets)} | ${m.otherProcessesCpuCores?.toFixed(2) ?? '–'} |`);
  const skipped = Object.entries(result.skipped ?? {}).map(([dialect, why]) => `\n${dialect} not measured: ${why}.\n`).join('');
  const m = result.machine;
  return `${START}
## Audit chain

\`node --import tsx bench/audit/chain.ts\` (issue 5 item 7): SqlAuditSink.append as the server
batches (one transaction per batch, WAL, synchronous=NORMAL on SQLite), and verifyStoredLog
reading the whole log back from the database. Median of ${result.runs} runs, each on a fresh
database; records/CPU-s counts only the benchmark process's CPU (not PostgreSQL's).
${result.startedAt}, ${m.cpuModel}, ${m.cores} cores, Node ${m.nodeVersion}, commit ${m.commit ?? 'unknown'}.

| database | operation | records/s (median) | range | records/CPU-s | target | other procs (cores) |
|---|---|---|---|---|---|---|
${rows.join('\n')}
${skipped}${END}
`;
}

/** Replaces (or appends) the chain section of a README text. */
export function withChainSection(readme: string, section: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start >= 0 && end > start) return readme.slice(0, start) + section.trimEnd() + readme.slice(end + END.length);
  return `${readme.trimEnd()}\n\n${section}`;
}

/** For bench/run.ts: the README text with the latest chain result's section added or replaced. */
export function readmeWithChainSection(readme: string, resultsDir: string): string {
  return withChainSection(readme, renderChainSection(readChainResult(resultsDir)));
}
