import { Worker } from 'node:worker_threads';
import { macInput, type ChainedRecord, type KeyLookup } from './chain.ts';

/**
 * Checks record MACs on a worker thread, so that verifying a large log uses a second core:
 * the HMAC is about half of a record's verification cost and node:crypto has no cheaper call
 * for it. The main thread reads records and builds each one's MAC input (`macInput`, the
 * same string `recordMac` hashes); the worker runs HMAC-SHA256 over those strings with the
 * keys it is sent and compares with the stored MACs in constant time. It knows nothing of the
 * record format, and it decides nothing: ChainVerifier still checks every record in order and
 * only takes "this MAC matches" from it (see MacPrecheck).
 *
 * The worker's code is a small CommonJS string (node:crypto and node:worker_threads only), so
 * it runs without the TypeScript loader the rest of the server is started with.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHmac, timingSafeEqual } = require('node:crypto');
function sameMac(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
parentPort.on('message', (job) => {
  let firstMismatch = -1;
  for (let i = 0; i < job.inputs.length; i++) {
    const key = job.keys[job.keyIndex[i]];
    const mac = job.macs[i];
    if (key === undefined || typeof mac !== 'string'
      || !sameMac(createHmac('sha256', key).update(job.inputs[i]).digest('base64url'), mac)) {
      firstMismatch = i;
      break;
    }
  }
  parentPort.postMessage({ id: job.id, firstMismatch });
});
`;

/** One page's answer: records before `firstMismatch` have matching MACs (-1: all of them). */
export interface PageMacCheck {
  /** The MAC the page's first record must follow, as the inputs were built with it. */
  readonly previousMac: string;
  readonly firstMismatch: number;
}

interface Job {
  readonly id: number;
  readonly inputs: string[];
  readonly macs: (string | null)[];
  readonly keyIndex: Uint16Array;
  readonly keys: Uint8Array[];
}

const NO_KEY = 0xffff;

/** A worker thread checking pages of record MACs; `check` never rejects (undefined: check them yourself). */
export class MacCheckWorker {
  private readonly pending = new Map<number, (firstMismatch: number | undefined) => void>();
  private nextId = 0;
  private failed = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: { id: number; firstMismatch: number }) => {
      this.pending.get(m.id)?.(m.firstMismatch);
      this.pending.delete(m.id);
    });
    // A worker that fails (cannot start, runs out of memory) only costs speed: every page
    // still waiting, and every later one, is answered "check it yourself".
    const fail = () => {
      this.failed = true;
      for (const resolve of this.pending.values()) resolve(undefined);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
  }

  /** Starts the worker thread (it becomes ready while the caller goes on). */
  static start(): MacCheckWorker {
    return new MacCheckWorker(new Worker(WORKER_SOURCE, { eval: true }));
  }

  /**
   * Sends a page of records (ascending, the first following `previousMac`) to be checked.
   * Resolves with the index of the first record whose MAC does not match its stored one under
   * its key (or that has no key, key id or MAC), -1 if all match, undefined if the worker
   * could not answer.
   */
  check(previousMac: string, page: readonly ChainedRecord[], keyFor: KeyLookup): Promise<PageMacCheck | undefined> {
    if (this.failed || page.length === 0) return Promise.resolve(undefined);
    const keys: Uint8Array[] = [];
    const keyIds = new Map<string, number>();
    const keyIndex = new Uint16Array(page.length);
    const inputs: string[] = [];
    const macs: (string | null)[] = [];
    let previous = previousMac;
    for (const [i, record] of page.entries()) {
      let index = record.keyId === null ? NO_KEY : keyIds.get(record.keyId);
      if (index === undefined && record.keyId !== null) {
        const key = keyFor(record.keyId);
        // A copy: a Buffer may be a view into a shared pool, and a view is sent with its whole pool.
        index = key === undefined || keys.length >= NO_KEY ? NO_KEY : keys.push(new Uint8Array(key)) - 1;
        keyIds.set(record.keyId, index);
      }
      keyIndex[i] = index ?? NO_KEY;
      inputs.push(macInput(previous, record, record.seq, record.keyId ?? ''));
      macs.push(record.mac);
      previous = record.mac ?? '';
    }
    const id = this.nextId++;
    const job: Job = { id, inputs, macs, keyIndex, keys };
    return new Promise((resolve) => {
      this.pending.set(id, (firstMismatch) => resolve(firstMismatch === undefined ? undefined : { previousMac, firstMismatch }));
      this.worker.postMessage(job, [keyIndex.buffer]);
    });
  }

  /** Stops the thread; checks still waiting resolve undefined. */
  async close(): Promise<void> {
    this.failed = true;
    await this.worker.terminate();
  }
}
