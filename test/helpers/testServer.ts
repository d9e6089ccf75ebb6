import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/loadConfig.ts';
import type { Config } from '../../src/config/schema.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import { buildApp, type App } from '../../src/server/buildApp.ts';
import { generateDevCertificate } from '../../src/server/devCertificate.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import type { Clock } from '../../src/clock.ts';
import type { LoginFailureStore } from '../../src/accounts/login/LoginFailureStore.ts';
import type { LoginThrottlePolicy } from '../../src/accounts/login/throttlePolicy.ts';
import { createTestDatabaseUrl } from './testDatabase.ts';
import type { RateLimitStore } from '../../src/pipeline/ratelimit/RateLimitStore.ts';

/** A clock tests can move. */
export function fakeClock(start = Date.parse('2026-11-22T12:00:00Z')): Clock & { advance(ms: number): void; set(ms: number): void } {
  let now = start;
  const clock = (() => now) as Clock & { advance(ms: number): void; set(ms: number): void };
  clock.advance = (ms) => (now += ms);
  clock.set = (ms) => (now = ms);
  return clock;
}

let certificate: Promise<{ cert: string; key: string }> | undefined;
/** One development certificate per test process (generation is cheap, but no need to repeat it). */
export function testCertificate(): Promise<{ cert: string; key: string }> {
  return (certificate ??= generateDevCertificate(new Date()));
}

export interface TestServerOptions {
  /** Overrides of the configuration (merged over the defaults). */
  readonly config?: Partial<Config>;
  /** Listen on a real HTTPS port (127.0.0.1, random port). Default: inject() only. */
  readonly listen?: boolean;
  readonly clock?: Clock;
  /** A database to reuse (e.g. a file to inspect); default a fresh in-memory SQLite, or a fresh PostgreSQL schema (testDatabase.ts). */
  readonly databaseUrl?: string;
  /** Failed-login limits; default: so generous that only tests that set them meet them. */
  readonly loginThrottle?: LoginThrottlePolicy;
  /** Password-hashing concurrency (default as in production: 2 running, 64 queued). */
  readonly hashing?: { maxConcurrent: number; maxQueued: number };
  /** The server's keys; default fresh in-memory keys. */
  readonly keyring?: Keyring;
  /** Where rate-limit state lives; default a fresh in-process store (several servers may share one). */
  readonly rateLimitStore?: RateLimitStore;
  /** Where failed-login counts live; default from the configuration (in process, or Redis with `redisUrl`). */
  readonly loginFailureStore?: LoginFailureStore;
}

const RELAXED_RULE = { freeFailures: 1_000_000, maxDelaySeconds: 1, forgetAfterSeconds: 1 };
/** Login limits that tests not about them never meet. */
export const RELAXED_LOGIN_THROTTLE: LoginThrottlePolicy = { account: RELAXED_RULE, device: RELAXED_RULE, address: RELAXED_RULE, range: RELAXED_RULE };

export interface TestServer {
  readonly app: App;
  readonly database: Database;
  readonly config: Readonly<Config>;
  /** https://127.0.0.1:<port> when listening. */
  readonly url: string;
  readonly ca: string;
  close(): Promise<void>;
}

/** The defaults, relaxed where tests would otherwise trip them (limits high unless a test sets them). */
export function testConfig(overrides: Partial<Config> = {}): Readonly<Config> {
  return loadConfig({}, {
    dataDir: '/nonexistent-test-data-dir',
    databaseUrl: 'sqlite::memory:',
    logLevel: 'silent',
    ...overrides,
    rateLimit: {
      globalPerSecond: 100_000,
      addressPerSecond: 100_000,
      userPerSecond: 100_000,
      maxTrackedKeys: 100_000,
      ...(overrides.rateLimit ?? {}),
    },
    // Issue 6 layers: relaxed unless a test sets them (merged over the defaults by loadConfig).
    rateLayers: {
      rangePerSecond: 100_000,
      capabilityPerSecond: 100_000,
      passwordRouteCost: 1,
      plans: { standard: { perMinute: 10_000_000, perDay: 10_000_000 }, basic: { perMinute: 120, perDay: 10_000 } },
      ...(overrides.rateLayers ?? {}),
    } as Config['rateLayers'],
    // Load shedding off unless a test sets it: a busy test machine must not turn into random 503s.
    resourceLimits: { shedEventLoopDelayMs: 60_000, shedHeapUsedRatio: 1, ...(overrides.resourceLimits ?? {}) } as Config['resourceLimits'],
  });
}

/** Builds the full server (the real pipeline) on a fresh database. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const open = async () => {
    const fresh = (options.databaseUrl ?? options.config?.databaseUrl) ? undefined : await createTestDatabaseUrl();
    const config = testConfig({ ...options.config, ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}), ...(fresh ? { databaseUrl: fresh.url } : {}) });
    return { fresh, config, database: await openDatabase(config.databaseUrl) };
  };
  // A fresh PostgreSQL schema once vanished before its migration in a parallel run (see
  // testDatabase.ts); one more fresh schema is tried before the test fails.
  const opened = await open().catch((err: unknown) => {
    if (/schema "t_[0-9a-f]+" does not exist/.test(String(err))) return open();
    throw err;
  });
  const { fresh, config, database } = opened;
  const tls = await testCertificate();
  const app = await buildApp({
    config,
    database,
    keyring: options.keyring ?? Keyring.ephemeral(),
    ...(options.listen ? { tls } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.hashing ? { hashing: options.hashing } : {}),
    ...(options.rateLimitStore ? { rateLimitStore: options.rateLimitStore } : {}),
    ...(options.loginFailureStore ? { loginFailureStore: options.loginFailureStore } : {}),
    loginThrottle: options.loginThrottle ?? RELAXED_LOGIN_THROTTLE,
    logger: false,
  });
  let url = '';
  if (options.listen) {
    await app.fastify.listen({ host: '127.0.0.1', port: 0 });
    url = `https://127.0.0.1:${(app.fastify.server.address() as AddressInfo).port}`;
  }
  return {
    app,
    database,
    config,
    url,
    ca: tls.cert,
    close: async () => {
      await app.fastify.close();
      await database.close();
      await fresh?.drop();
    },
  };
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON, or undefined if it is not JSON. */
  readonly json: any;
}

/** An HTTPS request over a real TLS connection that trusts only the test certificate. */
export function httpsRequest(
  server: Pick<TestServer, 'url' | 'ca'>,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; rawBody?: string; agent?: https.Agent } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    // Framed explicitly: Node sends a DELETE body without Content-Length or chunking otherwise.
    const framed = Object.keys(headers).some((h) => ['content-length', 'transfer-encoding'].includes(h.toLowerCase()));
    if (payload !== undefined && !framed) headers['content-length'] = String(Buffer.byteLength(payload));
    const req = https.request(new URL(path, server.url), { method, headers, ca: server.ca, servername: 'localhost', agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
