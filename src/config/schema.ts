import { Type, type Static } from '@sinclair/typebox';

const PositiveRate = Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 });

/**
 * The one configuration schema. Every setting has a safe default so that a bare
 * `npm start` works; unknown keys are rejected so that a typo is an error, not a no-op.
 */
export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    dataDir: Type.String({ minLength: 1 }),
    databaseUrl: Type.String({ minLength: 1 }),
    redisUrl: Type.Optional(Type.String({ minLength: 1 })),
    keyringFile: Type.String({ minLength: 1 }),
    tlsCertFile: Type.Optional(Type.String({ minLength: 1 })),
    tlsKeyFile: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * Offer HTTP/2 by ALPN next to HTTP/1.1. The HTTP/1.1 clients of that listener keep the
     * HTTP/1.1 listener's slow-client bounds (buildApp.ts). Off by default: Node bounds an
     * HTTP/2 stream only by its session's idle timeout, not by a total request time, so a
     * slow-body client over HTTP/2 can hold a stream past the 30 s HTTP/1.1 allows.
     */
    http2: Type.Boolean(),
    /** If set, a plain-HTTP listener on this port that only redirects to HTTPS (308). */
    httpRedirectPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    /** Addresses/CIDRs of proxies whose X-Forwarded-For is believed. Empty: believe nobody. */
    trustProxy: Type.Array(Type.String({ minLength: 1 })),
    openRegistration: Type.Boolean(),
    rateLimit: Type.Object(
      {
        globalPerSecond: PositiveRate,
        addressPerSecond: PositiveRate,
        userPerSecond: PositiveRate,
        /** Entries in each in-process limiter table before the oldest full buckets are dropped. */
        maxTrackedKeys: Type.Integer({ minimum: 1000 }),
      },
      { additionalProperties: false },
    ),
    /** Issue 6: the layers added to the three above (range, capability, plans), store failure and queueing. */
    rateLayers: Type.Object(
      {
        /** Per address range (a distributed flood comes from many addresses of one network). */
        rangePerSecond: PositiveRate,
        rangePrefixV4: Type.Integer({ minimum: 8, maximum: 32 }),
        rangePrefixV6: Type.Integer({ minimum: 16, maximum: 128 }),
        /** Per capability token (its holder is not a user, so no plan applies). */
        capabilityPerSecond: PositiveRate,
        /** Cells a password-hashing route (login, token with Basic, registration) takes on every layer. */
        passwordRouteCost: Type.Integer({ minimum: 1, maximum: 1000 }),
        /** The plan of every user (quotas per minute and per day), a name in `plans`. */
        defaultPlan: Type.String({ minLength: 1 }),
        plans: Type.Record(
          Type.String({ minLength: 1, maxLength: 40 }),
          Type.Object({ perMinute: Type.Integer({ minimum: 1 }), perDay: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        ),
        /** Plans assigned to particular users by the operator (username → plan name); others get `defaultPlan`. */
        userPlans: Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.String({ minLength: 1 })),
        /** When the shared (Redis) store fails: limit with in-process state, or refuse with 503. */
        onStoreFailure: Type.Union([Type.Literal('local'), Type.Literal('deny')]),
        /** Throttling: wait up to this long for quota before answering 429 (0: reject at once). */
        queueMaxWaitMs: Type.Integer({ minimum: 0, maximum: 5000 }),
        /** Requests waiting at once, server-wide; beyond it, 429 at once. */
        queueMaxLength: Type.Integer({ minimum: 0, maximum: 100_000 }),
      },
      { additionalProperties: false },
    ),
    /** Issue 6: bounds that stop oversized, slow and excess connections, and load shedding. */
    resourceLimits: Type.Object(
      {
        maxConnectionsPerAddress: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
        maxHeaderBytes: Type.Integer({ minimum: 1024, maximum: 65_536 }),
        maxUrlLength: Type.Integer({ minimum: 256, maximum: 65_536 }),
        maxJsonDepth: Type.Integer({ minimum: 2, maximum: 256 }),
        /** 503 overloaded while the event loop's p99 delay (ms) exceeds this. */
        shedEventLoopDelayMs: Type.Integer({ minimum: 1, maximum: 60_000 }),
        /** 503 overloaded while heap used / heap limit exceeds this. */
        shedHeapUsedRatio: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
      },
      { additionalProperties: false },
    ),
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024 }),
    /** Strict-Transport-Security max-age: at least one year (issue 7; the HSTS preload list's floor too). */
    hstsMaxAgeSeconds: Type.Integer({ minimum: 31_536_000 }),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    ),
    /** Upper bound on the lifetime of an API token. */
    tokenMaxLifetimeSeconds: Type.Integer({ minimum: 60 }),
    sessionIdleTimeoutSeconds: Type.Integer({ minimum: 60 }),
    sessionAbsoluteTimeoutSeconds: Type.Integer({ minimum: 60 }),
    /** WebAuthn relying-party id: the host name passkeys are bound to (browsers use it from any port on that host). */
    webauthnRpId: Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9.-]+$' }),
    /** Leading bits of an IPv4 / IPv6 client address kept in the audit log (32 / 128: all). */
    auditAddressPrefixV4: Type.Integer({ minimum: 0, maximum: 32 }),
    auditAddressPrefixV6: Type.Integer({ minimum: 0, maximum: 128 }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
