// slowhttptest driven from TypeScript, and a normal client that keeps asking while it runs:
// shared by test/attacks/slow-clients.test.ts and `npm run verify:attacks`.
import { spawn } from 'node:child_process';

/** Runs slowhttptest with `args`; resolves with its output, colour codes removed. */
export function runSlowhttptest(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('slowhttptest', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', (err) => reject(new Error(`slowhttptest could not run (apt-get install slowhttptest): ${err.message}`)));
    child.once('close', () => resolve(out.replace(/\x1b\[[0-9;]*m/g, '')));
  });
}

/** One request of the normal client: its status (0: no answer) and how long it took. */
export interface Probe {
  readonly status: number;
  readonly ms: number;
}

/**
 * Calls `probe` every `everyMs` while `attack` runs, starting `startAfterMs` after it (when the
 * attack's connections are open); returns the attack's result and every probe.
 */
export async function probeDuring<T>(
  attack: Promise<T>,
  probe: (i: number) => Promise<number>,
  options: { startAfterMs: number; everyMs: number },
): Promise<{ result: T; probes: Probe[] }> {
  let finished = false;
  const probes: Probe[] = [];
  const probing = (async () => {
    await new Promise((r) => setTimeout(r, options.startAfterMs));
    while (!finished) {
      const started = Date.now();
      const status = await probe(probes.length).catch(() => 0);
      probes.push({ status, ms: Date.now() - started });
      await new Promise((r) => setTimeout(r, options.everyMs));
    }
  })();
  try {
    return { result: await attack, probes };
  } finally {
    finished = true;
    await probing;
  }
}

/** How many of its connections the server had closed by slowhttptest's last status report. */
export function connectionsClosed(output: string): number {
  return Number([...output.matchAll(/closed:\s+(\d+)/g)].at(-1)?.[1] ?? 0);
}
