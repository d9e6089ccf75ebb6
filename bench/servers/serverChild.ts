/** What every benchmark server process shares: its data dir, TLS material, the ready line, stopping. */
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import { tlsServerOptions } from '../../src/pipeline/transport/tlsOptions.ts';
import { generateDevCertificate } from '../../src/server/devCertificate.ts';
import type { BenchTarget, ReadyLine } from '../protocol.ts';
import { certKindFromEnv, generateCertificate } from './benchCertificate.ts';

/** The message every read scenario returns, so that the bodies have the same size. */
export const MESSAGE_TEXT = 'Benchmark message: the quick brown fox jumps over the lazy dog, twice.';
export const AUTHOR = 'bench-reader';

/** The fresh temporary directory bench/run.ts made for this server (and deletes afterwards). */
export function benchDataDir(): string {
  const dir = process.env.BENCH_DATA_DIR;
  if (!dir) throw new Error('BENCH_DATA_DIR is not set; bench/run.ts starts this process');
  return dir;
}

/**
 * TLS options like Gatehouse's own: an ECDSA P-256 development certificate (or the kind
 * BENCH_CERT names, for the TLS scenarios) and the same protocol/cipher settings, so that
 * every scenario pays the same TLS cost.
 */
export async function benchTlsOptions(): Promise<TlsOptions & SecureContextOptions> {
  const kind = certKindFromEnv();
  return tlsServerOptions(kind ? await generateCertificate(kind) : await generateDevCertificate(new Date()));
}

/** Tells the parent the server listens and what to send it. */
export function announceReady(target: BenchTarget): void {
  const line: ReadyLine = { benchReady: target };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/**
 * Stops cleanly (so that `--cpu-prof` can write its profile) on SIGTERM/SIGINT, or when the
 * parent goes away (its end of our stdin closes). Exits after 3 s whatever happens.
 */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 3000).unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.stdin.on('end', shutdown);
  process.stdin.resume();
}

/** Runs a server's main function; a failure is reported and ends the process. */
export function runServer(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`server failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
