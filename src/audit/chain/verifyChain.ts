import { timingSafeEqual } from 'node:crypto';
import type { Checkpoint } from './checkpoint.ts';
import { GENESIS, recordMac, type ChainedRecord, type ChainLink, type KeyLookup } from './chain.ts';

/** What verification found. `firstBadId` is the sequence number (the API's `id`) of the first bad record. */
export interface VerifyResult {
  readonly ok: boolean;
  /** Records checked (up to and including the first bad one). */
  readonly checked: number;
  readonly firstBadId?: string;
  /** What is wrong, for operators (never shown to the public). */
  readonly problem?: string;
  /** The last good position reached. */
  readonly last: ChainLink;
}

export interface VerifyOptions {
  readonly keyFor: KeyLookup;
  /** The first record must follow this link: GENESIS, or the anchor left by pruning. */
  readonly start?: ChainLink;
  /** Checkpoints kept elsewhere: the log must still reach each one, with the same MAC. */
  readonly checkpoints?: readonly Checkpoint[];
}

/** A record's MAC checked elsewhere: whether it matched, and after which previous MAC. */
export interface MacPrecheck {
  readonly previousMac: string;
  readonly macMatches: boolean;
}

/**
 * Verifies a chain incrementally, so a large log can be streamed through it page by page.
 * Feed records in ascending `seq`; stops at the first problem.
 */
export class ChainVerifier {
  private last: ChainLink;
  private checked = 0;
  private failure: { id: string; problem: string } | undefined;
  private readonly checkpoints: Map<number, string>;

  constructor(private readonly options: VerifyOptions) {
    this.last = options.start ?? GENESIS;
    this.checkpoints = new Map((options.checkpoints ?? []).map((c) => [c.seq, c.mac]));
  }

  /**
   * Checks the next record; false once the chain is broken (further records are ignored).
   * `precheck`, from a MAC check done elsewhere (macCheckWorker.ts), is used only if it was
   * computed after the MAC this verifier reached; otherwise the MAC is computed here.
   */
  add(record: ChainedRecord, precheck?: MacPrecheck): boolean {
    if (this.failure) return false;
    this.checked++;
    const problem = this.problemWith(record, precheck);
    if (problem) {
      this.failure = { id: String(record.seq), problem };
      return false;
    }
    this.last = { seq: record.seq, mac: record.mac! };
    return true;
  }

  /** The verdict so far, including checkpoints the log no longer reaches. */
  result(): VerifyResult {
    const base = { checked: this.checked, last: this.last };
    if (this.failure) return { ok: false, ...base, firstBadId: this.failure.id, problem: this.failure.problem };
    for (const [seq, mac] of this.checkpoints) {
      const start = this.options.start ?? GENESIS;
      if (seq > this.last.seq) {
        return { ok: false, ...base, firstBadId: String(this.last.seq + 1), problem: `the log ends at ${this.last.seq} but a checkpoint reaches ${seq}: records were removed from the end` };
      }
      // A checkpoint at the prune anchor is checked against it; one before it was pruned away.
      if (seq === start.seq && !sameMac(mac, start.mac)) {
        return { ok: false, ...base, firstBadId: String(seq), problem: `the prune anchor at ${seq} disagrees with a checkpoint` };
      }
    }
    return { ok: true, ...base };
  }

  private problemWith(record: ChainedRecord, precheck: MacPrecheck | undefined): string | undefined {
    const expectedSeq = this.last.seq + 1;
    if (record.seq !== expectedSeq) {
      return record.seq > expectedSeq
        ? `records ${expectedSeq}..${record.seq - 1} are missing`
        : `record ${record.seq} is out of order or duplicated (expected ${expectedSeq})`;
    }
    if (record.mac === null || record.keyId === null) return `record ${record.seq} has no MAC`;
    const key = this.options.keyFor(record.keyId);
    if (!key) return `record ${record.seq} names an unknown audit key "${record.keyId}"`;
    const macMatches = precheck !== undefined && precheck.previousMac === this.last.mac
      ? precheck.macMatches
      : sameMac(record.mac, recordMac(key, this.last.mac, record, record.seq, record.keyId));
    if (!macMatches) {
      return `record ${record.seq} was modified, moved, or its predecessor was changed`;
    }
    const pinned = this.checkpoints.get(record.seq);
    if (pinned !== undefined && !sameMac(pinned, record.mac)) return `record ${record.seq} disagrees with a checkpoint: the log was rewritten`;
    return undefined;
  }
}

/** Verifies records given in ascending `seq` (a pure function of its inputs). */
export function verifyChain(records: Iterable<ChainedRecord>, options: VerifyOptions): VerifyResult {
  const verifier = new ChainVerifier(options);
  for (const record of records) if (!verifier.add(record)) break;
  return verifier.result();
}

/** Constant-time comparison of two MAC strings. */
export function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
