import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints a SQLite database's write-ahead log from a worker thread, so that the event
 * loop never copies the log into the database file itself.
 *
 * Why: SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold (1,000
 * pages by default): that commit copies ~4 MB and syncs the files, a stall of milliseconds
 * for every request waiting on the event loop. Measured (bench gatehouse-write, per-statement
 * timing of better-sqlite3): COMMIT p50 18.5 µs but mean 72 µs and p99 390 µs, so checkpoints
 * were most of the commit time, a quarter of a write request's CPU on the event loop.
 *
 * The worker opens its own connection and runs `PRAGMA wal_checkpoint(PASSIVE)` every
 * `intervalMs`: passive never waits for a lock and never blocks the writer; the writer
 * restarts the log at its next transaction once everything has been copied back. The main
 * connection keeps an automatic checkpoint at a higher threshold (SAFETY_VALVE_PAGES) so that
 * the log stays bounded if the worker stops or falls behind.
 */
export interface WalCheckpointer {
  /** Runs a last checkpoint, then ends the thread (idempotent). */
  stop(): Promise<void>;
}

/** The main connection's own checkpoint threshold while the worker runs (pages of 4 KiB: 16 MiB). */
export const SAFETY_VALVE_PAGES = 4_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0'); // passive: never wait for anyone
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY and the like: the next interval tries again; the main connection's own
    // threshold bounds the log meanwhile.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** Starts the worker for the database file `file` (not for ':memory:', which has no log). */
export function startWalCheckpointer(file: string, options: { intervalMs?: number; onError?: (err: unknown) => void } = {}): WalCheckpointer {
  // Resolved here, where the package is found (also from the esbuild bundle: better-sqlite3 is external).
  const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, sqliteModule, intervalMs: options.intervalMs ?? 100 },
    // It allocates next to nothing: small heaps keep the thread's memory small (issue 11's RSS bound).
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
  });
  worker.unref(); // never what keeps the process alive
  worker.on('error', (err) => options.onError?.(err));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  return {
    stop: () =>
      (stopping ??= (async () => {
        worker.postMessage('stop');
        const timeout = setTimeout(() => void worker.terminate(), 2_000);
        await exited;
        clearTimeout(timeout);
      })()),
  };
}
