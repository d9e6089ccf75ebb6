import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/schema.ts';
import { readAnchor, readPage } from './AuditChainStore.ts';
import { GENESIS, type ChainedRecord, type KeyLookup } from './chain/chain.ts';
import { checkpointIsAuthentic, type Checkpoint } from './chain/checkpoint.ts';
import { MacCheckWorker, type PageMacCheck } from './chain/macCheckWorker.ts';
import { ChainVerifier, type MacPrecheck, type VerifyResult } from './chain/verifyChain.ts';

export interface VerifyStoredLogOptions {
  /**
   * Records verified on this thread alone before a worker thread starts checking MACs (it
   * takes tens of milliseconds to start: small logs are done sooner without it). Default
   * 5,000; Infinity never starts one.
   */
  readonly parallelAfterRecords?: number;
  /** Starts the MAC worker (tests count its use). */
  readonly startMacWorker?: () => MacCheckWorker;
}

interface Page {
  readonly records: readonly ChainedRecord[];
  /** The worker's answer for this page, if one was asked. */
  readonly macCheck: Promise<PageMacCheck | undefined> | undefined;
}

/**
 * Verifies the stored audit log from its start (genesis, or the newest prune anchor) to its
 * end, streaming it in pages so memory stays flat. Every row is read, also rows placed before
 * the anchor, so nothing can hide in the pruned range.
 *
 * Speed (bench/audit/chain.ts): the next page is requested before the current one is
 * checked, so the database works meanwhile; pages of 1,000, because larger ones lived long
 * enough to be promoted by the garbage collector and verified a fifth slower; and past
 * `parallelAfterRecords`, a worker thread computes the HMACs of one page while this thread
 * reads and prepares the next. The verdict is the same either way: every record still goes
 * through one ChainVerifier, in order.
 */
export async function verifyStoredLog(
  db: Kysely<DatabaseSchema>,
  keyFor: KeyLookup,
  checkpoints: readonly Checkpoint[] = [],
  pageSize = 1000,
  options: VerifyStoredLogOptions = {},
): Promise<VerifyResult> {
  const forged = checkpoints.find((c) => !checkpointIsAuthentic(c, keyFor));
  if (forged) return { ok: false, checked: 0, problem: `the checkpoint at ${forged.seq} is not signed by this keyring's audit key`, last: GENESIS };
  const anchor = await readAnchor(db);
  if (anchor && !checkpointIsAuthentic(anchor, keyFor)) {
    return { ok: false, checked: 0, firstBadId: String(anchor.seq), problem: `the prune anchor at ${anchor.seq} is not authentic`, last: GENESIS };
  }
  const start = anchor ?? GENESIS;
  const verifier = new ChainVerifier({ keyFor, start, checkpoints });
  const parallelAfter = options.parallelAfterRecords ?? 5000;
  let worker: MacCheckWorker | undefined;
  let read = 0;
  let previousMac = start.mac;
  let waiting: Page | undefined;
  let next: Promise<ChainedRecord[]> | undefined = readPage(db, Number.MIN_SAFE_INTEGER, pageSize);
  try {
    while (next) {
      const records: ChainedRecord[] = await next;
      next = records.length === pageSize ? readPage(db, records[records.length - 1]!.seq, pageSize) : undefined;
      if (!worker && read >= parallelAfter && next) worker = (options.startMacWorker ?? MacCheckWorker.start)();
      read += records.length;
      // The worker starts on this page while the previous one is fed to the verifier.
      const page: Page = { records, macCheck: worker?.check(previousMac, records, keyFor) };
      previousMac = records.at(-1)?.mac ?? '';
      if (waiting && !(await feed(verifier, waiting))) return verifier.result();
      waiting = page;
    }
    if (waiting) await feed(verifier, waiting);
    return verifier.result();
  } finally {
    // The verdict is in: a read still under way must not end as an unhandled rejection.
    next?.catch(() => undefined);
    await worker?.close();
  }
}

/** Feeds a page to the verifier, with the worker's MAC checks if it gave any; false once the chain is broken. */
async function feed(verifier: ChainVerifier, page: Page): Promise<boolean> {
  const check = await page.macCheck;
  for (const [i, record] of page.records.entries()) {
    if (!verifier.add(record, check && precheck(check, page.records, i))) return false;
  }
  return true;
}

/** What the page's check says about record i (nothing past the first mismatch). */
function precheck(check: PageMacCheck, records: readonly ChainedRecord[], i: number): MacPrecheck | undefined {
  if (check.firstMismatch !== -1 && i > check.firstMismatch) return undefined;
  return { previousMac: i === 0 ? check.previousMac : records[i - 1]!.mac ?? '', macMatches: i !== check.firstMismatch };
}
