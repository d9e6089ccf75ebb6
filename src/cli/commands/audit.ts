import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { toAuditItem } from '../../audit/AuditItem.ts';
import { AuditQuery } from '../../audit/AuditQuery.ts';
import { readTail } from '../../audit/AuditChainStore.ts';
import { auditKeys, type AuditKeys } from '../../audit/chain/auditKeys.ts';
import { createCheckpoint, formatCheckpoint, parseCheckpoint, type Checkpoint } from '../../audit/chain/checkpoint.ts';
import { pruneAuditLog } from '../../audit/pruneAuditLog.ts';
import { countOutbox } from '../../audit/AuditOutbox.ts';
import { verifyStoredLog } from '../../audit/verifyStoredLog.ts';
import { systemClock, type Clock } from '../../clock.ts';
import { loadConfig } from '../../config/loadConfig.ts';
import { Keyring } from '../../crypto/keyring.ts';
import { openDatabase, type Database } from '../../store/database.ts';
import { parseOrUsage, UsageError, type Command } from '../Command.ts';
import type { CommandIo } from '../main.ts';

const USAGE = `Usage: gatehouse audit <action> [options]

Actions:
  verify [--checkpoint <file|json>]... [--json]
        check every record's MAC and link, from the start of the log (or the prune anchor)
        to its end; with checkpoints, also that the log still reaches each of them.
        Exit 0 when intact, 1 when not.
  checkpoint
        verify, then print a signed checkpoint (one JSON line) of the log's current end.
        Keep it outside the server: it is what shows later that records were cut off the end.
  export [--from <time>] [--to <time>] [--actor <name>]
        print the records as JSON lines (oldest first) for a SIEM; times are ISO 8601.
  prune --before <time>
        verify, then delete the records before <time>, leaving a signed anchor at the cut
        so that the rest of the log still verifies.

Uses the configured database and keyring (GATEHOUSE_DATA_DIR, GATEHOUSE_DATABASE_URL,
GATEHOUSE_KEYRING_FILE).`;

const OPTIONS = {
  checkpoint: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  from: { type: 'string' },
  to: { type: 'string' },
  actor: { type: 'string' },
  before: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];
type Action = (ctx: { database: Database; keys: AuditKeys; values: Values; io: CommandIo; clock: Clock }) => Promise<number>;

const ACTIONS: Record<string, { allowed: readonly (keyof Values)[]; run: Action }> = {
  verify: { allowed: ['checkpoint', 'json'], run: verifyAction },
  checkpoint: { allowed: [], run: checkpointAction },
  export: { allowed: ['from', 'to', 'actor'], run: exportAction },
  prune: { allowed: ['before'], run: pruneAction },
};

export const auditCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parse(args);
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    const [name, ...extra] = positionals;
    const action = name === undefined ? undefined : ACTIONS[name];
    if (!action) throw new UsageError(name ? `unknown action "${name}"` : 'missing action');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const wrong = (Object.keys(values) as (keyof Values)[]).find((k) => k !== 'help' && !action.allowed.includes(k));
    if (wrong) throw new UsageError(`--${wrong} does not apply to "audit ${name}"`);
    const config = loadConfig(io.env);
    if (!fs.existsSync(config.keyringFile)) throw new Error(`no keyring at ${config.keyringFile}: the audit log cannot be checked without it`);
    const sqliteFile = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl.slice('sqlite:'.length) : undefined;
    if (sqliteFile && sqliteFile !== ':memory:' && !fs.existsSync(sqliteFile)) throw new Error(`no database at ${sqliteFile}`);
    const keys = auditKeys(Keyring.loadOrCreate(config.keyringFile));
    const database = await openDatabase(config.databaseUrl);
    try {
      return await action.run({ database, keys, values, io, clock: systemClock });
    } finally {
      await database.close();
    }
  },
};

function parse(args: readonly string[]) {
  return parseOrUsage(() => parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true }));
}

async function verifyAction({ database, keys, values, io }: Parameters<Action>[0]): Promise<number> {
  const checkpoints = (values.checkpoint ?? []).map(readCheckpoint);
  const result = await verifyStoredLog(database.db, keys.keyFor, checkpoints);
  // Outcome records committed with their change but not chained yet (a crash, or a server
  // between batches): not covered by the chain until the server chains them.
  const outbox = await countOutbox(database.db);
  const waiting = outbox > 0 ? `; ${outbox} outcome record(s) wait in the audit outbox, not yet chained (a running server chains them in its next batch, a stopped one at its next start)` : '';
  if (values.json) {
    const { ok, checked, firstBadId, problem } = result;
    io.out(JSON.stringify({ ok, checked, outbox, ...(firstBadId ? { firstBadId } : {}), ...(problem ? { problem } : {}) }));
  } else if (result.ok) {
    io.out(`audit log intact: ${result.checked} records verified, ending at ${result.last.seq}${checkpoints.length ? `; reaches ${checkpoints.length} checkpoint(s)` : ''}${waiting}`);
  } else {
    io.err(`audit log NOT intact${result.firstBadId ? ` at record ${result.firstBadId}` : ''}: ${result.problem} (${result.checked} records checked)`);
  }
  return result.ok ? 0 : 1;
}

async function checkpointAction({ database, keys, io, clock }: Parameters<Action>[0]): Promise<number> {
  if (!(await refuseIfBroken(database, keys, io, 'checkpoint'))) return 1;
  io.out(formatCheckpoint(createCheckpoint(keys.current(), await readTail(database.db), clock())));
  return 0;
}

async function exportAction({ database, values, io }: Parameters<Action>[0]): Promise<number> {
  const fromMs = values.from === undefined ? undefined : parseTime('--from', values.from);
  const toMs = values.to === undefined ? undefined : parseTime('--to', values.to);
  const query = new AuditQuery(database.db);
  let afterSeq: number | undefined;
  for (;;) {
    const { rows, more } = await query.find({
      ...(values.actor !== undefined ? { actor: values.actor } : {}),
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(toMs !== undefined ? { toMs } : {}),
      ...(afterSeq !== undefined ? { afterSeq } : {}),
      order: 'asc',
      limit: 1000,
    });
    // keyId and mac let the receiving system re-check the records it was given.
    for (const row of rows) io.out(JSON.stringify({ ...toAuditItem(row), keyId: row.key_id, mac: row.mac }));
    if (!more || rows.length === 0) return 0;
    afterSeq = Number(rows[rows.length - 1]!.seq);
  }
}

async function pruneAction({ database, keys, values, io, clock }: Parameters<Action>[0]): Promise<number> {
  if (values.before === undefined) throw new UsageError('prune needs --before <time>');
  const beforeMs = parseTime('--before', values.before);
  // Pruning a tampered log would erase the evidence: refuse, and say where it is broken.
  if (!(await refuseIfBroken(database, keys, io, 'prune'))) return 1;
  const result = await pruneAuditLog(database.db, database.dialect, keys.current(), beforeMs, clock());
  if (!result.anchor) io.out('nothing to prune: no record is older than --before');
  else io.out(`pruned ${result.removed} records; the log now starts after ${result.anchor.seq}. Anchor: ${formatCheckpoint(result.anchor)}`);
  return 0;
}

async function refuseIfBroken(database: Database, keys: AuditKeys, io: CommandIo, what: string): Promise<boolean> {
  const result = await verifyStoredLog(database.db, keys.keyFor);
  if (result.ok) return true;
  io.err(`refusing to ${what}: the audit log is NOT intact at record ${result.firstBadId ?? '?'}: ${result.problem}`);
  return false;
}

function readCheckpoint(arg: string): Checkpoint {
  const text = arg.trimStart().startsWith('{') ? arg : readFile(arg);
  try {
    return parseCheckpoint(text);
  } catch (err) {
    throw new UsageError(`--checkpoint ${arg.length > 60 ? arg.slice(0, 60) + '…' : arg}: ${(err as Error).message}`);
  }
}

function readFile(file: string): string {
  try {
    // A file of several checkpoints (e.g. appended by cron) counts by its last line.
    return fs.readFileSync(file, 'utf8').trim().split('\n').at(-1) ?? '';
  } catch {
    throw new UsageError(`--checkpoint: cannot read file ${file}`);
  }
}

function parseTime(option: string, value: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new UsageError(`${option}: expected an ISO 8601 time such as 2026-11-01T00:00:00Z, got "${value}"`);
  return ms;
}
