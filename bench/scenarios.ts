/**
 * The scenarios of issue 11, in the order they run, and the ratios the issue asks for. Each
 * scenario's server is one file in bench/servers/; `kind` says how it is loaded.
 */

/**
 * throughput: one autocannon process, keep-alive, as fast as the server answers (bench/loadgen.ts).
 * handshakes: a new TLS connection (full handshake) per request (bench/handshakeLoadgen.ts).
 * underAttack: a paced legitimate client alone, then again while floods run (bench/runUnderAttack.ts).
 */
export type ScenarioKind = 'throughput' | 'handshakes' | 'underAttack';

export interface Scenario {
  /** Stable id, used in results and with --only. */
  readonly name: string;
  /** The issue 11 item it is. */
  readonly item: string;
  readonly description: string;
  /** Script under bench/servers/. */
  readonly server: string;
  readonly kind: ScenarioKind;
  /** GATEHOUSE_* settings of a Gatehouse server (data dir, host and port are added). */
  readonly gatehouseEnv?: Readonly<Record<string, string>>;
  /** Other variables for the server child (BENCH_CERT). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The limiter decides on every request but never refuses (1,000,000/s is the schema's maximum;
 * the per-user plan quotas, which no variable sets, are raised in servers/gatehouseServer.ts).
 */
const LIMITS_HIGH = {
  GATEHOUSE_RATE_GLOBAL_PER_SECOND: '1000000',
  GATEHOUSE_RATE_ADDRESS_PER_SECOND: '1000000',
  GATEHOUSE_RATE_RANGE_PER_SECOND: '1000000',
  GATEHOUSE_RATE_USER_PER_SECOND: '1000000',
  GATEHOUSE_RATE_CAPABILITY_PER_SECOND: '1000000',
};

/** Concurrent handshakes of the TLS load generator. */
export const HANDSHAKE_CONNECTIONS = 16;

const tls = (kind: 'ecdsa-p256' | 'rsa-2048', label: string): Scenario[] => [
  {
    name: `tls-bare-${kind === 'rsa-2048' ? 'rsa' : 'ecdsa'}`, item: '8b', server: 'limit.ts', kind: 'handshakes', env: { BENCH_CERT: kind },
    description: `new TLS connections per second to the bare \`node:https\` server (${label} certificate): each connection a full handshake (no resumption), one GET, \`Connection: close\`; ${HANDSHAKE_CONNECTIONS} at a time`,
  },
  {
    name: `tls-gatehouse-${kind === 'rsa-2048' ? 'rsa' : 'ecdsa'}`, item: '8', server: 'gatehouseHandshake.ts', kind: 'handshakes', env: { BENCH_CERT: kind }, gatehouseEnv: LIMITS_HIGH,
    description: `the same against Gatehouse (${label} certificate configured as GATEHOUSE_TLS_CERT/KEY): full handshake, then \`GET /healthz\` through the whole pipeline (audited), \`Connection: close\``,
  },
];

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'limit', item: '1', server: 'limit.ts', kind: 'throughput',
    description: 'bare `node:https` handler answering the same JSON as the message read, from precomputed bytes',
  },
  {
    name: 'baseline', item: '2', server: 'baseline.ts', kind: 'throughput',
    description: 'bare Fastify route reading the message by primary key (joined with its author) from SQLite with Gatehouse’s schema and pragmas, as one better-sqlite3 prepared statement; no security stages, schemas or logging',
  },
  {
    name: 'gatehouse-read', item: '3', server: 'gatehouseRead.ts', kind: 'throughput', gatehouseEnv: LIMITS_HIGH,
    description: '`GET /v1/spaces/{id}/messages/{id}` with a bearer token through the full pipeline (rate limit, authentication, audit, access control); rate limits set high so the limiter decides but never refuses',
  },
  {
    name: 'peer-stack', item: '6', server: 'peerStack.ts', kind: 'throughput',
    description: 'the same read in a typical Node stack: Express 5 over `node:https` + helmet + express-rate-limit (set high, never refusing) + passport-http-bearer looking the token up in the same SQLite database (hash compared in constant time, expiry, revocation), then the message by primary key; no audit, membership check or encryption at rest',
  },
  {
    name: 'baseline-insert', item: '4b', server: 'baselineInsert.ts', kind: 'throughput',
    description: 'bare Fastify `POST` that parses the JSON body and inserts one row into `messages` (autocommit, WAL, synchronous=NORMAL); no security stages',
  },
  {
    name: 'gatehouse-write', item: '4', server: 'gatehouseWrite.ts', kind: 'throughput', gatehouseEnv: LIMITS_HIGH,
    description: '`POST /v1/spaces/{id}/messages` with a bearer token through the full pipeline: one message insert plus its audit records (attempt and outcome) per request',
  },
  {
    name: 'bare-429', item: '5b', server: 'bare429.ts', kind: 'throughput',
    description: 'bare `node:https` handler answering every request 429 with a small problem+json body from precomputed bytes: the cheapest possible rejection',
  },
  {
    name: 'gatehouse-rejected', item: '5', server: 'gatehouseRejected.ts', kind: 'throughput',
    gatehouseEnv: { ...LIMITS_HIGH, GATEHOUSE_RATE_ADDRESS_PER_SECOND: '1' },
    description: 'anonymous flood from one address with a per-address limit of 1/s: nearly every request is answered 429 by the rate-limit stage (audited as the server does under a flood: the first rejections per client and reason in full, the rest counted into a summary record)',
  },
  {
    name: 'under-attack', item: '7', server: 'gatehouseUnderAttack.ts', kind: 'underAttack',
    // Behind a (simulated) proxy on 127.0.0.1, so X-Forwarded-For gives every client its own
    // address. Per-address and per-range limits stay at their defaults (100/s, 1000/s): they
    // are what refuses the floods. The global limit is raised: at its default it would refuse
    // the legitimate user too once a distributed flood drained it, which is its purpose, but
    // then there would be no latency left to measure.
    gatehouseEnv: {
      GATEHOUSE_TRUST_PROXY: '127.0.0.1',
      GATEHOUSE_RATE_GLOBAL_PER_SECOND: '1000000',
      GATEHOUSE_RATE_USER_PER_SECOND: '1000000',
    },
    description: 'a legitimate user reading a message with a bearer token (50 requests/s, 1 keep-alive connection, every request timed from when it was due), first alone (`under-attack/alone`), then (`under-attack/flooded`) while two other processes flood the server: a credential-stuffing login flood (`POST /v1/sessions`, wrong passwords for 1,000 user names, every request from another address in its own /24, so only the per-account throttle and the bounded password-hashing queue stand in its way) and a 429 flood (anonymous reads from one address, refused by its per-address limit). Default per-address (100/s) and per-range limits, global limit raised; server behind a trusted proxy (X-Forwarded-For)',
  },
  ...tls('ecdsa-p256', 'ECDSA P-256'),
  {
    name: 'gatehouse-healthz', item: '8c', server: 'gatehouseHandshake.ts', kind: 'throughput', env: { BENCH_CERT: 'ecdsa-p256' }, gatehouseEnv: LIMITS_HIGH,
    description: 'the request of the TLS scenarios without the handshake: `GET /healthz` through the whole pipeline (audited) over keep-alive. Its CPU per request is what Gatehouse adds to each new connection over the bare server',
  },
  ...tls('rsa-2048', 'RSA-2048'),
];

export interface RatioDefinition {
  readonly label: string;
  readonly numerator: string;
  readonly denominator: string;
  /** requestsPerSecond (higher is better, default) or the p99 latency (lower is better). */
  readonly metric?: 'requestsPerSecond' | 'p99';
  /** The target: the ratio at least (throughput) or at most (latency) this. */
  readonly target?: number;
}

/** The ratios issue 11 asks for. Row names: a scenario's, or under-attack's two rows. */
export const RATIOS: readonly RatioDefinition[] = [
  { label: 'gatehouse-read / baseline', numerator: 'gatehouse-read', denominator: 'baseline', target: 0.6 },
  { label: 'gatehouse-read / peer-stack', numerator: 'gatehouse-read', denominator: 'peer-stack', target: 3 },
  { label: 'gatehouse-read / limit', numerator: 'gatehouse-read', denominator: 'limit' },
  { label: 'gatehouse-rejected / bare-429', numerator: 'gatehouse-rejected', denominator: 'bare-429', target: 0.8 },
  { label: 'gatehouse-write / baseline-insert', numerator: 'gatehouse-write', denominator: 'baseline-insert', target: 0.5 },
  { label: 'p99 under attack / alone', numerator: 'under-attack/flooded', denominator: 'under-attack/alone', metric: 'p99', target: 3 },
  { label: 'TLS connections/s gatehouse / bare (ECDSA P-256)', numerator: 'tls-gatehouse-ecdsa', denominator: 'tls-bare-ecdsa', target: 0.9 },
  { label: 'TLS connections/s gatehouse / bare (RSA-2048)', numerator: 'tls-gatehouse-rsa', denominator: 'tls-bare-rsa', target: 0.9 },
];

/** Issue 11: a Gatehouse server's peak resident memory stays within this. */
export const RSS_LIMIT_MB = 200;
