// Audit chain throughput (issue 5 item 7, issue 11): appends per second through
// SqlAuditSink.append in batches as the server writes them (one write-locked transaction per
// batch; ~100 and ~1000 records), and verifyStoredLog's records per second reading the whole
// log back from the database. SQLite (the embedded default: WAL, synchronous=NORMAL) and, when
// a URL is given, PostgreSQL (a fresh schema per run, dropped afterwards). Every number is the
// median of several runs, each on a fresh database. Not a test: prints numbers and writes
// bench/results/audit-chain.json (and its section of bench/README.md), which `npm run bench`
// includes in its summary.
//
//   node --import tsx bench/audit/chain.ts [--records 200000] [--runs 5] [--baseline]
//        [--postgres postgres://postgres@127.0.0.1:5432/test]   (or GATEHOUSE_BENCH_POSTGRES_URL)
//        [--no-write]   print only: leave bench/results and bench/README.md alone
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { AuditRecord } from '../../src/audit/AuditRecord.ts';
import { readPage } from '../../src/audit/AuditChainStore.ts';
import { SqlAuditSink } from '../../src/audit/SqlAuditSink.ts';
import { auditKeys } from '../../src/audit/chain/auditKeys.ts';
import { verifyChain } from '../../src/audit/chain/verifyChain.ts';
import { verifyStoredLog } from '../../src/audit/verifyStoredLog.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { machineInfo } from '../machineInfo.ts';
import { machineProcessCpuSeconds } from '../procStats.ts';
import { CHAIN_RESULT_FILE, CHAIN_TARGETS, renderChainSection, withChainSection, type ChainMeasurement, type ChainResult, type Spread } from './chainSummary.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '5' },
    postgres: { type: 'string' },
    baseline: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});
const RECORDS = Number(args.records);
const RUNS = Number(args.runs);
if (!Number.isSafeInteger(RECORDS) || RECORDS < 1000) throw new Error('--records: an integer of at least 1000');
if (!Number.isSafeInteger(RUNS) || RUNS < 1) throw new Error('--runs: a positive integer');
const POSTGRES_URL = args.postgres ?? process.env.GATEHOUSE_BENCH_POSTGRES_URL;
const BATCHES = [100, 1000] as const;
const keys = auditKeys(Keyring.ephemeral());

/** Records as the pipeline writes them: attempt and outcome per request, fresh request ids. */
function records(count: number): AuditRecord[] {
  const start = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const outcome = i % 2 === 1;
    return {
      time: start + i, requestId: crypto.randomUUID(), phase: outcome ? 'outcome' : 'attempt', actor: `user${i % 50}`,
      actorType: 'user', authMethod: 'bearer', clientAddress: '198.51.100.23', userAgent: 'bench/1.0 (like a browser)',
      method: 'POST', route: '/v1/spaces/:spaceId/messages', resource: '/v1/spaces/0123456789abcdef/messages',
      outcome: outcome ? 'allowed' : 'pending', reason: '', status: outcome ? 201 : null,
    };
  });
}

interface Target {
  readonly dialect: 'sqlite' | 'postgres';
  open(): Promise<Database & { dispose(): Promise<void> }>;
}

const sqliteTarget: Target = {
  dialect: 'sqlite',
  async open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-chain-'));
    const database = await openDatabase(`sqlite:${path.join(dir, 'bench.sqlite')}`);
    return { ...database, dispose: async () => { await database.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
  },
};

function postgresTarget(url: string): Target {
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try { await client.query(statement); } finally { await client.end(); }
  };
  return {
    dialect: 'postgres',
    async open() {
      const schema = `bench_chain_${crypto.randomBytes(6).toString('hex')}`;
      await admin(`create schema ${schema}`);
      const withSchema = new URL(url);
      withSchema.searchParams.set('schema', schema);
      const database = await openDatabase(withSchema.toString());
      return { ...database, dispose: async () => { await database.close(); await admin(`drop schema ${schema} cascade`); } };
    },
  };
}

interface Sample { readonly perSecond: number; readonly perCpuSecond: number; readonly otherCores: number | null }

/** Times `run` (which handles `count` records): wall, this process's CPU, and the rest of the machine's CPU. */
async function sample(count: number, run: () => Promise<void>): Promise<Sample> {
  const machineBefore = machineProcessCpuSeconds();
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const machineAfter = machineProcessCpuSeconds();
  const otherCores = machineBefore === undefined || machineAfter === undefined ? null : Math.max(0, (machineAfter - machineBefore - cpuSeconds) / seconds);
  return { perSecond: count / seconds, perCpuSecond: count / cpuSeconds, otherCores };
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

function summarise(base: Omit<ChainMeasurement, 'recordsPerSecond' | 'recordsPerCpuSecond' | 'otherProcessesCpuCores'>, samples: Sample[]): ChainMeasurement {
  const others = samples.map((s) => s.otherCores).filter((c): c is number => c !== null);
  const m: ChainMeasurement = {
    ...base,
    recordsPerSecond: spread(samples.map((s) => s.perSecond)),
    recordsPerCpuSecond: spread(samples.map((s) => s.perCpuSecond)),
    otherProcessesCpuCores: others.length > 0 ? spread(others).median : null,
  };
  const what = `${m.dialect} ${m.operation}${m.batch ? ` ×${m.batch}` : ''}`;
  const n = (x: number) => Math.round(x).toLocaleString('en-US').padStart(9);
  console.log(`${what.padEnd(26)} ${n(m.recordsPerSecond.median)} records/s median (${n(m.recordsPerSecond.min).trim()}–${n(m.recordsPerSecond.max).trim()}), ${n(m.recordsPerCpuSecond.median)} records/CPU-s, other procs ${m.otherProcessesCpuCores?.toFixed(2) ?? '?'} cores`);
  return m;
}

/** Appends RECORDS records in batches through the chained sink (the server's write path). */
async function measureAppends(target: Target, batch: number): Promise<ChainMeasurement> {
  const samples: Sample[] = [];
  for (let run = 0; run < RUNS; run++) {
    const database = await target.open();
    try {
      const sink = new SqlAuditSink(database.db, keys, database.dialect);
      const all = records(RECORDS);
      samples.push(await sample(RECORDS, async () => {
        for (let i = 0; i < all.length; i += batch) await sink.append(all.slice(i, i + batch));
      }));
    } finally {
      await database.dispose();
    }
  }
  return summarise({ dialect: target.dialect, operation: 'append', batch, records: RECORDS }, samples);
}

/** The same rows inserted with Kysely, without chain or lock: what the database alone costs. */
async function measurePlainInserts(target: Target, batch: number): Promise<ChainMeasurement> {
  const samples: Sample[] = [];
  for (let run = 0; run < RUNS; run++) {
    const database = await target.open();
    try {
      const rows = records(RECORDS).map((r) => ({
        time: r.time, request_id: r.requestId, phase: r.phase, actor: r.actor, actor_type: r.actorType, auth_method: r.authMethod,
        client_address: r.clientAddress, user_agent: r.userAgent, method: r.method, route: r.route, resource: r.resource,
        outcome: r.outcome, reason: r.reason, status: r.status, key_id: null, mac: null,
      }));
      samples.push(await sample(RECORDS, async () => {
        for (let i = 0; i < rows.length; i += batch) {
          const chunk = rows.slice(i, i + batch);
          await database.db.transaction().execute((trx) => trx.insertInto('audit_log').values(chunk).execute());
        }
      }));
    } finally {
      await database.dispose();
    }
  }
  return summarise({ dialect: target.dialect, operation: 'plain-insert', batch, records: RECORDS }, samples);
}

/** Verifies one log of RECORDS records from the database RUNS times (and once in memory, SQLite). */
async function measureVerify(target: Target): Promise<ChainMeasurement[]> {
  const database = await target.open();
  try {
    const sink = new SqlAuditSink(database.db, keys, database.dialect);
    const all = records(RECORDS);
    for (let i = 0; i < all.length; i += 1000) await sink.append(all.slice(i, i + 1000));
    const samples: Sample[] = [];
    for (let run = 0; run < RUNS; run++) {
      samples.push(await sample(RECORDS, async () => {
        const result = await verifyStoredLog(database.db, keys.keyFor);
        if (!result.ok || result.checked !== RECORDS) throw new Error(`verification failed: ${result.problem ?? `${result.checked} records checked`}`);
      }));
    }
    const out = [summarise({ dialect: target.dialect, operation: 'verify', records: RECORDS }, samples)];
    if (target.dialect === 'sqlite') {
      const inMemory = await readPage(database.db, 0, RECORDS);
      const pure: Sample[] = [];
      for (let run = 0; run < RUNS; run++) {
        pure.push(await sample(RECORDS, async () => {
          if (!verifyChain(inMemory, { keyFor: keys.keyFor }).ok) throw new Error('verification failed');
        }));
      }
      out.push(summarise({ dialect: target.dialect, operation: 'verify-pure', records: RECORDS }, pure));
    }
    return out;
  } finally {
    await database.dispose();
  }
}

const targets: Target[] = [sqliteTarget];
const skipped: Record<string, string> = {};
if (POSTGRES_URL) targets.push(postgresTarget(POSTGRES_URL));
else skipped.postgres = 'no URL (--postgres or GATEHOUSE_BENCH_POSTGRES_URL)';

const startedAt = new Date().toISOString();
console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${RECORDS} records, median of ${RUNS} runs\n`);
const measurements: ChainMeasurement[] = [];
for (const target of targets) {
  for (const batch of BATCHES) {
    if (args.baseline) measurements.push(await measurePlainInserts(target, batch));
    measurements.push(await measureAppends(target, batch));
  }
  measurements.push(...(await measureVerify(target)));
}

const result: ChainResult = { startedAt, runs: RUNS, machine: machineInfo(ROOT), targets: CHAIN_TARGETS, measurements, ...(Object.keys(skipped).length > 0 ? { skipped } : {}) };
if (!args['no-write']) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, CHAIN_RESULT_FILE), `${JSON.stringify(result, null, 2)}\n`);
  const readme = path.join(ROOT, 'bench', 'README.md');
  fs.writeFileSync(readme, withChainSection(fs.readFileSync(readme, 'utf8'), renderChainSection(result)));
  console.log(`\nwrote bench/results/${CHAIN_RESULT_FILE} and the audit chain section of bench/README.md`);
}
