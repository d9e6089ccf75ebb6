import type { Http2Session } from 'node:http2';
import os from 'node:os';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import { AccountAdministration } from '../accounts/AccountAdministration.ts';
import { AccountService } from '../accounts/AccountService.ts';
import { registerAdminRoutes } from '../accounts/adminRoutes.ts';
import { AccountVerifier } from '../accounts/AccountVerifier.ts';
import { HashingGate, hashingConcurrencyFor } from '../accounts/passwordHashing.ts';
import { registerAccountRoutes } from '../accounts/routes.ts';
import { SessionService } from '../accounts/SessionService.ts';
import { TokenService } from '../accounts/TokenService.ts';
import { UserRepository } from '../accounts/UserRepository.ts';
import type { LoginFailureStore } from '../accounts/login/LoginFailureStore.ts';
import { LoginThrottle } from '../accounts/login/LoginThrottle.ts';
import { DEFAULT_LOGIN_THROTTLE, type LoginThrottlePolicy } from '../accounts/login/throttlePolicy.ts';
import { MfaService } from '../accounts/mfa/MfaService.ts';
import { registerMfaRoutes } from '../accounts/mfa/routes.ts';
import type { UsedOtpStore } from '../accounts/mfa/UsedOtpStore.ts';
import { PasskeyService } from '../accounts/passkeys/PasskeyService.ts';
import { registerPasskeyRoutes } from '../accounts/passkeys/routes.ts';
import { PasswordService } from '../accounts/PasswordService.ts';
import { registerSessionRoutes } from '../accounts/sessionRoutes.ts';
import { registerMessagingApp } from '../apps/messaging/index.ts';
import { AuditLog } from '../audit/AuditLog.ts';
import { CapabilityRepository } from '../capabilities/CapabilityRepository.ts';
import { CapabilityService } from '../capabilities/CapabilityService.ts';
import { AuditQuery } from '../audit/AuditQuery.ts';
import { registerAuditRoutes } from '../audit/routes.ts';
import { SqlAuditSink } from '../audit/SqlAuditSink.ts';
import { auditKeys } from '../audit/chain/auditKeys.ts';
import { verifyStoredLog } from '../audit/verifyStoredLog.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Config } from '../config/schema.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { ProblemSchema } from '../errors/problemSchema.ts';
import { createMetrics, type Metrics } from '../operations/metrics.ts';
import { registerOperationsRoutes } from '../operations/routes.ts';
import { answerClientError, answerFrameworkError, registerPipeline, type RouteEntry } from '../pipeline/index.ts';
import type { RateLimitStore } from '../pipeline/ratelimit/RateLimitStore.ts';
import { secureContextOptions, tlsServerOptions } from '../pipeline/transport/tlsOptions.ts';
import { newRequestId } from '../pipeline/transport/requestId.ts';
import { registerWebUi } from '../web/routes.ts';
import type { Database } from '../store/database.ts';
import { limitJsonDepth } from '../pipeline/hardening/jsonDepth.ts';
import { limitConnectionsPerAddress } from './connectionLimit.ts';
import { lazyChildLoggerFactory } from './lazyChildLogger.ts';
import { openApiOptions } from './openapi.ts';
import { openSharedStores } from './sharedStores.ts';
import { buildValidatorCompiler } from './validation.ts';

export interface AppOptions {
  readonly config: Readonly<Config>;
  readonly database: Database;
  readonly keyring: Keyring;
  /** Certificate and key: the app listens with HTTPS. Omitted only by tests that use inject(). */
  readonly tls?: { cert: string; key: string };
  readonly clock?: Clock;
  /** Where rate-limit state lives; default from the configuration (sharedStores.ts). */
  readonly rateLimitStore?: RateLimitStore;
  readonly logger?: FastifyServerOptions['logger'];
  /** Failed-login limits (default DEFAULT_LOGIN_THROTTLE) and where their counts and used TOTP steps live (default: sharedStores.ts). */
  readonly loginThrottle?: LoginThrottlePolicy;
  readonly loginFailureStore?: LoginFailureStore;
  readonly usedOtpStore?: UsedOtpStore;
  /** More /readyz checks than the database, the audit log and (when configured) Redis. */
  readonly readinessChecks?: ReadonlyArray<{ name: string; check: () => Promise<void> }>;
  /** Concurrent password hashes and queued ones before 503 (default: half the usable cores, at least 1, and 64). */
  readonly hashing?: { maxConcurrent: number; maxQueued: number };
}

export interface App {
  readonly fastify: FastifyInstance;
  readonly auditLog: AuditLog;
  readonly accounts: AccountService;
  /** Every registered route with its policy. */
  readonly routes: readonly RouteEntry[];
  /** The Prometheus metrics (what GET /metrics serves). */
  readonly metrics: Metrics;
}

/** Redacted wherever they might appear in a log line (STYLE.md habit 7). */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]', '*.password', '*.token', '*.otp', '*.secret',
];

/**
 * Where Node's parser stops a header block (431 before any request exists, see
 * pipeline/transport/clientErrors.ts): the largest GATEHOUSE_MAX_HEADER_BYTES allows. The
 * configured bound itself is enforced in stage 1b (loadShedding.ts), where the method is known.
 */
export const NODE_HEADER_CEILING_BYTES = 65_536;

/**
 * Bounds on slow clients (slowloris, slow bodies): the whole header block within 10 s, the
 * whole request within 30 s. Node enforces both only when it sweeps its connections, every
 * `connectionsCheckingInterval` (30 s by default), so the sweep runs every second.
 */
const SLOW_CLIENT_LIMITS = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 } as const;

/** Builds the whole server: pipeline, then the platform's routes, then the application. */
export async function buildApp(options: AppOptions): Promise<App> {
  const { config, database, keyring } = options;
  const clock = options.clock ?? systemClock;
  const fastify = Fastify({
    ...(options.tls ? (config.http2 ? { http2: true, https: tlsServerOptions(options.tls) } : { https: { ...secureContextOptions(options.tls), ...SLOW_CLIENT_LIMITS, maxHeaderSize: NODE_HEADER_CEILING_BYTES } }) : {}),
    logger: options.logger ?? { level: config.logLevel, redact: LOG_REDACT_PATHS },
    // The audit log is the per-request record; request logs would cost ~25% (PERF-NOTES.md).
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLoggerFactory, // request.log made only when a request logs (why: lazyChildLogger.ts)
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    bodyLimit: config.bodyLimitBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestIdHeader: false, // never take a request id from the client
    genReqId: newRequestId,
    requestTimeout: 30_000,
    keepAliveTimeout: 10_000,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: answerFrameworkError, // malformed URLs still pass the pipeline's stages
    clientErrorHandler: answerClientError, // so do requests Node's parser refuses (408, 431, 400)
    // Fastify's typings tie `http2: true` to a different instance type; at run time the hooks,
    // routes and inject() are the same, so the app is used through the common FastifyInstance.
  } as unknown as FastifyServerOptions) as unknown as FastifyInstance;
  fastify.server.headersTimeout = 10_000;
  if (options.tls && config.http2) applyHttp1LimitsToHttp2Server(fastify.server as unknown as Http1LimitsOfHttp2Server);
  limitConnectionsPerAddress(fastify.server, config.resourceLimits.maxConnectionsPerAddress);
  limitJsonDepth(fastify, config.resourceLimits.maxJsonDepth);
  fastify.setValidatorCompiler(buildValidatorCompiler());
  fastify.removeContentTypeParser('text/plain'); // JSON only: anything else is 415
  fastify.addSchema(ProblemSchema);
  await fastify.register(swagger, openApiOptions());
  await fastify.register(cookie);

  const users = new UserRepository(database.db);
  const tokens = new TokenService(database.db, clock);
  const sessions = new SessionService(database.db, keyring, {
    idleSeconds: config.sessionIdleTimeoutSeconds,
    absoluteSeconds: config.sessionAbsoluteTimeoutSeconds,
  }, clock);
  const keys = auditKeys(keyring);
  const auditLog = new AuditLog(new SqlAuditSink(database.db, keys, database.dialect, {
    onTailRegression: (wroteSeq, foundSeq) =>
      fastify.log.error({ wroteSeq, foundSeq }, 'audit log records were removed from its end while the server ran; verify against a checkpoint'),
  }), fastify.log, { detach: (fn) => database.unitOfWork.detached(fn) });
  // Outcome records a crash left in the audit outbox join the chain now, not at the first request.
  auditLog.chainOutbox().catch((err: unknown) => fastify.log.error({ err }, 'audit outbox could not be chained at start'));
  const metrics = createMetrics({ auditBuffered: () => auditLog.buffered });
  // Rate-limit counters, used TOTP steps, failed-login counters: in process, or in Redis over
  // this instance's one connection, closed once when the app closes (onClose below).
  const shared = openSharedStores(config, { log: fastify.log, countRateLimitFailure: () => metrics.rateLimitStoreFailures.inc() });
  try {
    await shared.ready();
    return await assemble();
  } catch (err) {
    await shared.close(); // a server that cannot start must not keep its Redis connection open
    throw err;
  }

  /** Services, pipeline and routes over the stores above. */
  async function assemble(): Promise<App> {
    const gate = new HashingGate(options.hashing?.maxConcurrent ?? hashingConcurrencyFor(os.availableParallelism()), options.hashing?.maxQueued);
    const mfa = new MfaService(database.db, keyring, options.usedOtpStore ?? shared.usedOtpStore, clock);
    const throttle = new LoginThrottle(
      options.loginFailureStore ?? shared.loginFailureStore,
      options.loginThrottle ?? DEFAULT_LOGIN_THROTTLE,
      clock,
    );
    const passkeys = new PasskeyService(database.db, clock, config.webauthnRpId);
    const verifier = new AccountVerifier({ users, tokens, sessions, mfa, passkeys, gate, throttle, clock });
    const accounts = new AccountService(users, gate, clock);
    const capabilities = new CapabilityService({ repository: new CapabilityRepository(database.db), keyring, clock });
    const passwords = new PasswordService(users, sessions, tokens, gate);
    const rateLimitStore = options.rateLimitStore ?? shared.rateLimitStore;
    // onClose hooks run last-registered first (avvio): registered before the pipeline's own, the
    // final flush runs after them, so the summaries they record at shutdown are stored too.
    fastify.addHook('onClose', async () => {
      await auditLog.flush();
      await shared.close();
    });
    const routes = registerPipeline(fastify, { config, clock, rateLimitStore, verifier, capabilities, auditLog, metrics, database });
    registerOperationsRoutes(fastify, {
      metrics,
      checks: [
        { name: 'database', check: () => database.ping() },
        { name: 'audit', check: async () => { if (!auditLog.healthy) throw new Error('audit writes failing'); } },
        ...shared.readinessChecks,
        ...(options.readinessChecks ?? []),
      ],
    });
    registerAdminRoutes(fastify, { admin: new AccountAdministration(database.db), clock });
    registerAccountRoutes(fastify, { config, accounts, tokens, sessions, verifier, mfa, passkeys, keyring });
    registerSessionRoutes(fastify, { sessions, passwords, verifier, clock });
    registerMfaRoutes(fastify, { mfa, verifier, passwords });
    registerPasskeyRoutes(fastify, { passkeys, passwords, sessions, users, keyring });
    registerAuditRoutes(fastify, { query: new AuditQuery(database.db), auditLog, verify: () => verifyStoredLog(database.db, keys.keyFor) });
    registerMessagingApp(fastify, { database, users, clock, keyring, capabilities });
    await registerWebUi(fastify);

    if (options.tls && config.http2) closeHttp2SessionsOnClose(fastify);
    await fastify.ready();
    return { fastify, auditLog, accounts, routes, metrics };
  }
}

/** The HTTP/1.1 settings Node's HTTP/2 server (allowHTTP1) honours since Node 20 for the HTTP/1.1 connections it accepts. */
interface Http1LimitsOfHttp2Server {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
  maxHeaderSize: number;
  keepAliveTimeout: number;
}

/**
 * With HTTP/2 on, the HTTP/1.1 clients the same listener accepts get the same bounds as on the
 * HTTP/1.1-only listener: Node's HTTP/2 server sweeps them (setupConnectionsTracking, at
 * 'listening') only with these set, and by default would allow 60 s for headers, 300 s for
 * a request, swept every 30 s. test/server/http2Limits.test.ts holds a slowloris to it.
 */
function applyHttp1LimitsToHttp2Server(server: Http1LimitsOfHttp2Server): void {
  server.headersTimeout = SLOW_CLIENT_LIMITS.headersTimeout;
  server.requestTimeout = SLOW_CLIENT_LIMITS.requestTimeout;
  server.connectionsCheckingInterval = SLOW_CLIENT_LIMITS.connectionsCheckingInterval;
  server.maxHeaderSize = NODE_HEADER_CEILING_BYTES;
  server.keepAliveTimeout = 10_000; // as Fastify sets on its HTTP/1.1 server
}

/**
 * HTTP/2 sessions stay open between requests, and server.close() waits for them: on close,
 * tell each one to finish its streams and go away (GOAWAY), so a graceful stop is prompt.
 */
function closeHttp2SessionsOnClose(fastify: FastifyInstance): void {
  const sessions = new Set<Http2Session>();
  fastify.server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  fastify.addHook('preClose', async () => {
    for (const session of sessions) session.close();
  });
}
