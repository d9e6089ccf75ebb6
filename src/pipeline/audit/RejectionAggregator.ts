import type { AuditRecord } from '../../audit/AuditRecord.ts';

export interface AggregationLimits {
  /** Length of one aggregation window per key. */
  readonly windowMs: number;
  /** Rejections of one key recorded in full per window before the rest are only counted. */
  readonly fullPerKey: number;
  /** Keys tracked at once; rejections of further keys are counted under one shared key. */
  readonly maxKeys: number;
}

export const DEFAULT_AGGREGATION: AggregationLimits = { windowMs: 60_000, fullPerKey: 10, maxKeys: 10_000 };

interface Window {
  start: number;
  full: number;
  counted: number;
  first: number;
  last: number;
  /** The last counted rejection, the template of the summary record. */
  sample: AuditRecord | undefined;
}

/** Where rejections of keys beyond `maxKeys` are counted together. */
export const OVERFLOW_KEY = '(many clients)';

/**
 * Audit without amplification (issue 6 §7): a flood of rejections must not become a flood of
 * audit writes that fills the disk or slows the server. Per key (client address + reason) and
 * window, the first `fullPerKey` rejections are recorded in full; the rest are only counted,
 * and when the window ends ONE summary record states how many, and the first and last time.
 * So per window the log grows by at most (fullPerKey + 1) records per key, and the number of
 * keys is bounded (beyond `maxKeys`, one shared key): 10,000 rejections from one address in
 * a minute are 11 records, and every one of them is still accounted for. Pure: time is passed in.
 */
export class RejectionAggregator {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly limits: AggregationLimits = DEFAULT_AGGREGATION) {}

  /**
   * Notes one rejection. Returns whether to record it in full, and any summaries of windows
   * that have ended (this key's, when it comes back after its window) to record now.
   */
  admit(key: string, record: AuditRecord, now: number): { full: boolean; summaries: AuditRecord[] } {
    const summaries: AuditRecord[] = [];
    let slot = this.windows.has(key) || this.windows.size < this.limits.maxKeys ? key : OVERFLOW_KEY;
    let window = this.windows.get(slot);
    if (window && now - window.start >= this.limits.windowMs) {
      const summary = summarize(window);
      if (summary) summaries.push(summary);
      this.windows.delete(slot);
      window = undefined;
      if (slot === OVERFLOW_KEY && this.windows.size < this.limits.maxKeys) slot = key;
    }
    if (!window) {
      window = { start: now, full: 0, counted: 0, first: now, last: now, sample: undefined };
      this.windows.set(slot, window);
    }
    if (slot !== OVERFLOW_KEY && window.full < this.limits.fullPerKey) {
      window.full++;
      return { full: true, summaries };
    }
    if (window.counted === 0) window.first = now;
    window.counted++;
    window.last = now;
    window.sample = record;
    return { full: false, summaries };
  }

  /**
   * Counts one rejection into its open window only if `admit` would count it anyway (the window
   * holds its full records already, or it is the shared overflow window): true if counted.
   * False, with nothing changed, when it would be recorded in full or its window has ended: the
   * caller then takes the normal path, which calls `admit`. So a rejection the fast path counts
   * is stated in exactly the summary it would have been stated in.
   */
  countOnly(key: string, record: AuditRecord, now: number): boolean {
    const slot = this.windows.has(key) || this.windows.size < this.limits.maxKeys ? key : OVERFLOW_KEY;
    const window = this.windows.get(slot);
    if (window === undefined || now - window.start >= this.limits.windowMs) return false;
    if (slot !== OVERFLOW_KEY && window.full < this.limits.fullPerKey) return false;
    if (window.counted === 0) window.first = now;
    window.counted++;
    window.last = now;
    window.sample = record;
    return true;
  }

  /** Summaries of every window that has ended by `now` (called now and then, cheaply). */
  due(now: number): AuditRecord[] {
    const out: AuditRecord[] = [];
    for (const [key, window] of this.windows) {
      if (now - window.start < this.limits.windowMs) continue;
      const summary = summarize(window);
      if (summary) out.push(summary);
      this.windows.delete(key);
    }
    return out;
  }

  /** Summaries of every open window (at shutdown: nothing counted is lost). */
  drain(): AuditRecord[] {
    return this.due(Infinity);
  }

  /** Keys tracked now (for tests). */
  get size(): number {
    return this.windows.size;
  }
}

function summarize(window: Window): AuditRecord | undefined {
  if (window.counted === 0 || !window.sample) return undefined;
  const s = window.sample;
  return {
    ...s,
    requestId: `aggregate-${s.requestId}`,
    phase: 'outcome',
    time: window.last,
    reason: `${s.reason}; aggregated: ${window.counted} rejections from ${new Date(window.first).toISOString()} to ${new Date(window.last).toISOString()}`,
  };
}
