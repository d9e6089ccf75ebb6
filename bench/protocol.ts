/**
 * What the benchmark's processes tell each other. Every child writes one JSON line per event
 * on stdout; other lines (e.g. the server's own warnings) are kept only for error reports.
 */

/**
 * How each request of a flood differs from the one before (the load generator rewrites it):
 * what makes a distributed attack distributed.
 */
export interface RequestVariation {
  /**
   * Every request from another client address: `X-Forwarded-For: 10.a.b.1`, each in its own
   * /24, so no per-address or per-range limit sees the same client twice in a row (the
   * server must trust the loopback proxy).
   */
  readonly forwardedForPerRequest?: boolean;
  /** The body is a login guess `{"username": "<prefix><n>", "password": <wrong>}`, n cycling through `usernames` names. */
  readonly loginGuesses?: { readonly usernamePrefix: string; readonly usernames: number };
}

/** A flood the under-attack scenario runs next to the legitimate client, from its own process. */
export interface FloodTarget {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly vary?: RequestVariation;
  readonly connections: number;
}

/** The request a server child wants the load generator to send, announced once it listens. */
export interface BenchTarget {
  readonly port: number;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The status every measured response should have (others are counted, not fatal). */
  readonly expectStatus: number;
  /** A fixed request rate for the measured client (requests/s over all its connections), instead of as fast as it can. */
  readonly overallRate?: number;
  /** Connections of the measured client, instead of the run's default. */
  readonly connections?: number;
  /** Attacks to run alongside (under-attack scenario only). */
  readonly floods?: readonly FloodTarget[];
}

/** The line a server child prints when it is ready: `{"benchReady":{…}}`. */
export interface ReadyLine {
  readonly benchReady: BenchTarget;
}

/** What the parent passes to the load generator (env BENCH_LOADGEN, JSON). */
export interface LoadSpec {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** Requests/s over all connections (autocannon's overallRate); absent: as fast as answers come. */
  readonly overallRate?: number;
  readonly vary?: RequestVariation;
}

/** The measured run, as the load generator reports it (`{"event":"result",…}`). */
export interface LoadResult {
  readonly requests: number;
  readonly durationSeconds: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly mean: number; readonly max: number };
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly timeouts: number;
}

/** Events of the load generator: the measured run starts, then its result. */
export type LoadEvent =
  | { readonly event: 'measuring' }
  | ({ readonly event: 'result' } & LoadResult);

/** Parses one stdout line as JSON, or undefined if it is not JSON. */
export function parseJsonLine(line: string): unknown {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}
