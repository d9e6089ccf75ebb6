/**
 * Throttling's bounded queue (MISSION §2: "queue briefly, then reject"): at most `maxLength`
 * requests wait at once, each at most `maxWaitMs`. A request that would need longer, or finds
 * the queue full, is rejected at once: waiting must not become a way to hold server memory.
 */
export class ThrottleQueue {
  private waiting = 0;

  constructor(
    private readonly maxLength: number,
    private readonly maxWaitMs: number,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Waits `ms` if the queue allows it; false (at once) if not. */
  async wait(ms: number): Promise<boolean> {
    if (!this.wouldHold(ms)) return false;
    this.waiting++;
    try {
      await this.sleep(Math.ceil(ms));
      return true;
    } finally {
      this.waiting--;
    }
  }

  /** Whether `wait(ms)` would hold a request now (rather than answer false at once). */
  wouldHold(ms: number): boolean {
    return !(this.maxWaitMs === 0 || ms > this.maxWaitMs || this.waiting >= this.maxLength);
  }

  /** Requests waiting now (for tests and metrics). */
  get length(): number {
    return this.waiting;
  }
}
