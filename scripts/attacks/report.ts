// What each attack step found, and the summary table `verify:attacks` ends with.
import type { PurposeServer } from './server.ts';
import type { Route } from './routes.ts';
import type { SeededIds } from './seed.ts';

export type Mode = 'full' | 'bounded';

/** Everything an attack step needs. */
export interface AttackContext {
  readonly mode: Mode;
  readonly server: PurposeServer;
  readonly seeded: SeededIds;
  readonly routes: readonly Route[];
  /** A scratch directory for tool output, removed afterwards. */
  readonly workDir: string;
  /** The fuzz seed (printed, so a failure can be replayed with --seed). */
  readonly fuzzSeed: number;
}

/** One row of the summary: a tool against one target. */
export interface StepResult {
  readonly tool: string;
  readonly target: string;
  readonly ok: boolean;
  /** One line: what was seen (counts, strengths, the finding). */
  readonly result: string;
  readonly seconds: number;
}

/** Runs `work` and measures it; a thrown error becomes a failed row. */
export async function timed(tool: string, target: string, work: () => Promise<{ ok: boolean; result: string }>): Promise<StepResult> {
  const started = performance.now();
  try {
    const { ok, result } = await work();
    return { tool, target, ok, result, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    return { tool, target, ok: false, result: `error: ${(err as Error).message}`, seconds: (performance.now() - started) / 1000 };
  }
}

/** The summary table: tool, target, result, duration. */
export function formatSummary(rows: readonly StepResult[]): string {
  const head = ['tool', 'target', 'result', 'seconds'];
  const cells = rows.map((r) => [r.tool, r.target, `${r.ok ? 'ok' : 'FAIL'}  ${r.result}`, r.seconds.toFixed(1)]);
  const width = head.map((h, i) => Math.min(i === 2 ? 90 : 48, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
  const line = (c: string[]) => c.map((v, i) => (i === 3 ? v.padStart(width[i]!) : v.padEnd(width[i]!))).join('  ').trimEnd();
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
