/**
 * What a GCRA quota may admit to one key over a measured window (gcra.ts): a burst of
 * `burst` cells, refilled at `ratePerSecond`. Starting full, the k-th request is admitted only
 * if k ≤ burst + ratePerSecond × (its time − the first's), so over `elapsedSeconds` at most
 * burst + ⌊rate × elapsed⌋ are admitted, and at least the burst when more than that were sent.
 * The per-user tests assert these exact bounds (no timed assertion: a slow machine widens
 * the window, it cannot make a correct limiter fail) and report the deviation from the burst.
 */
export function admissible(burst: number, ratePerSecond: number, elapsedSeconds: number): { min: number; max: number } {
  return { min: burst, max: burst + Math.floor(ratePerSecond * elapsedSeconds) };
}

/** `served` relative to `configured`, in percent with one decimal (for the test's diagnostics). */
export function deviationPercent(served: number, configured: number): string {
  const pct = ((served - configured) / configured) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}
