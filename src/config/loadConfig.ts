import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { ConfigSchema, type Config } from './schema.ts';

/** Thrown when configuration is invalid; the message names the setting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Environment variable → how it sets the config. The only place `process.env` is read. */
const ENV_SETTINGS: Record<string, (raw: string, c: MutableConfig) => void> = {
  GATEHOUSE_HOST: (v, c) => (c.host = v),
  GATEHOUSE_PORT: (v, c) => (c.port = parseInteger('GATEHOUSE_PORT', v)),
  GATEHOUSE_DATA_DIR: (v, c) => {
    // An empty value would resolve to the working directory, which start-up would then chmod 0700.
    if (v.trim() === '') throw new ConfigError('Invalid setting GATEHOUSE_DATA_DIR: must not be empty');
    c.dataDir = v;
  },
  GATEHOUSE_DATABASE_URL: (v, c) => (c.databaseUrl = v),
  GATEHOUSE_REDIS_URL: (v, c) => (c.redisUrl = v),
  GATEHOUSE_KEYRING_FILE: (v, c) => (c.keyringFile = v),
  GATEHOUSE_TLS_CERT: (v, c) => (c.tlsCertFile = v),
  GATEHOUSE_TLS_KEY: (v, c) => (c.tlsKeyFile = v),
  GATEHOUSE_HTTP2: (v, c) => (c.http2 = parseBoolean('GATEHOUSE_HTTP2', v)),
  GATEHOUSE_HTTP_REDIRECT_PORT: (v, c) => (c.httpRedirectPort = parseInteger('GATEHOUSE_HTTP_REDIRECT_PORT', v)),
  GATEHOUSE_TRUST_PROXY: (v, c) =>
    (c.trustProxy = v.split(',').map((s) => s.trim()).filter(Boolean)),
  GATEHOUSE_OPEN_REGISTRATION: (v, c) =>
    (c.openRegistration = parseBoolean('GATEHOUSE_OPEN_REGISTRATION', v)),
  GATEHOUSE_RATE_GLOBAL_PER_SECOND: (v, c) =>
    (c.rateLimit.globalPerSecond = parseNumber('GATEHOUSE_RATE_GLOBAL_PER_SECOND', v)),
  GATEHOUSE_RATE_ADDRESS_PER_SECOND: (v, c) =>
    (c.rateLimit.addressPerSecond = parseNumber('GATEHOUSE_RATE_ADDRESS_PER_SECOND', v)),
  GATEHOUSE_RATE_USER_PER_SECOND: (v, c) =>
    (c.rateLimit.userPerSecond = parseNumber('GATEHOUSE_RATE_USER_PER_SECOND', v)),
  GATEHOUSE_RATE_RANGE_PER_SECOND: (v, c) => (c.rateLayers.rangePerSecond = parseNumber('GATEHOUSE_RATE_RANGE_PER_SECOND', v)),
  GATEHOUSE_RATE_RANGE_PREFIX_V4: (v, c) => (c.rateLayers.rangePrefixV4 = parseInteger('GATEHOUSE_RATE_RANGE_PREFIX_V4', v)),
  GATEHOUSE_RATE_RANGE_PREFIX_V6: (v, c) => (c.rateLayers.rangePrefixV6 = parseInteger('GATEHOUSE_RATE_RANGE_PREFIX_V6', v)),
  GATEHOUSE_RATE_CAPABILITY_PER_SECOND: (v, c) =>
    (c.rateLayers.capabilityPerSecond = parseNumber('GATEHOUSE_RATE_CAPABILITY_PER_SECOND', v)),
  GATEHOUSE_RATE_PASSWORD_ROUTE_COST: (v, c) =>
    (c.rateLayers.passwordRouteCost = parseInteger('GATEHOUSE_RATE_PASSWORD_ROUTE_COST', v)),
  GATEHOUSE_RATE_DEFAULT_PLAN: (v, c) => (c.rateLayers.defaultPlan = v.trim()),
  GATEHOUSE_RATE_USER_PLANS: (v, c) => (c.rateLayers.userPlans = parseAssignments('GATEHOUSE_RATE_USER_PLANS', v)),
  GATEHOUSE_RATE_ON_STORE_FAILURE: (v, c) => (c.rateLayers.onStoreFailure = v.trim() as 'local' | 'deny'),
  GATEHOUSE_RATE_QUEUE_MAX_WAIT_MS: (v, c) => (c.rateLayers.queueMaxWaitMs = parseInteger('GATEHOUSE_RATE_QUEUE_MAX_WAIT_MS', v)),
  GATEHOUSE_RATE_QUEUE_LENGTH: (v, c) => (c.rateLayers.queueMaxLength = parseInteger('GATEHOUSE_RATE_QUEUE_LENGTH', v)),
  GATEHOUSE_MAX_CONNECTIONS_PER_ADDRESS: (v, c) =>
    (c.resourceLimits.maxConnectionsPerAddress = parseInteger('GATEHOUSE_MAX_CONNECTIONS_PER_ADDRESS', v)),
  GATEHOUSE_MAX_HEADER_BYTES: (v, c) => (c.resourceLimits.maxHeaderBytes = parseInteger('GATEHOUSE_MAX_HEADER_BYTES', v)),
  GATEHOUSE_MAX_URL_LENGTH: (v, c) => (c.resourceLimits.maxUrlLength = parseInteger('GATEHOUSE_MAX_URL_LENGTH', v)),
  GATEHOUSE_MAX_JSON_DEPTH: (v, c) => (c.resourceLimits.maxJsonDepth = parseInteger('GATEHOUSE_MAX_JSON_DEPTH', v)),
  GATEHOUSE_SHED_EVENT_LOOP_DELAY_MS: (v, c) =>
    (c.resourceLimits.shedEventLoopDelayMs = parseInteger('GATEHOUSE_SHED_EVENT_LOOP_DELAY_MS', v)),
  GATEHOUSE_SHED_HEAP_USED_RATIO: (v, c) => (c.resourceLimits.shedHeapUsedRatio = parseNumber('GATEHOUSE_SHED_HEAP_USED_RATIO', v)),
  GATEHOUSE_BODY_LIMIT_BYTES: (v, c) =>
    (c.bodyLimitBytes = parseInteger('GATEHOUSE_BODY_LIMIT_BYTES', v)),
  GATEHOUSE_HSTS_MAX_AGE_SECONDS: (v, c) =>
    (c.hstsMaxAgeSeconds = parseInteger('GATEHOUSE_HSTS_MAX_AGE_SECONDS', v)),
  GATEHOUSE_LOG_LEVEL: (v, c) => (c.logLevel = v as Config['logLevel']),
  GATEHOUSE_TOKEN_MAX_LIFETIME_SECONDS: (v, c) =>
    (c.tokenMaxLifetimeSeconds = parseInteger('GATEHOUSE_TOKEN_MAX_LIFETIME_SECONDS', v)),
  GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS: (v, c) =>
    (c.sessionIdleTimeoutSeconds = parseInteger('GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS', v)),
  GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT_SECONDS: (v, c) =>
    (c.sessionAbsoluteTimeoutSeconds = parseInteger('GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT_SECONDS', v)),
  GATEHOUSE_WEBAUTHN_RP_ID: (v, c) => (c.webauthnRpId = v),
  GATEHOUSE_AUDIT_ADDRESS_PREFIX_V4: (v, c) =>
    (c.auditAddressPrefixV4 = parseInteger('GATEHOUSE_AUDIT_ADDRESS_PREFIX_V4', v)),
  GATEHOUSE_AUDIT_ADDRESS_PREFIX_V6: (v, c) =>
    (c.auditAddressPrefixV6 = parseInteger('GATEHOUSE_AUDIT_ADDRESS_PREFIX_V6', v)),
};

/** Every variable the server reads, for `--help` and the README. */
export const CONFIG_VARIABLES = Object.keys(ENV_SETTINGS);

type MutableConfig = { -readonly [K in keyof Config]: Config[K] } & {
  rateLimit: { -readonly [K in keyof Config['rateLimit']]: Config['rateLimit'][K] };
  rateLayers: { -readonly [K in keyof Config['rateLayers']]: Config['rateLayers'][K] };
  resourceLimits: { -readonly [K in keyof Config['resourceLimits']]: Config['resourceLimits'][K] };
};

/** The safe defaults, relative to a data directory. */
export function defaultConfig(dataDir = './data'): MutableConfig {
  return {
    host: '127.0.0.1',
    port: 8443,
    dataDir,
    databaseUrl: '',
    keyringFile: '',
    trustProxy: [],
    openRegistration: true,
    http2: false,
    rateLimit: {
      globalPerSecond: 5000,
      addressPerSecond: 100,
      userPerSecond: 50,
      maxTrackedKeys: 100_000,
    },
    rateLayers: {
      rangePerSecond: 1000,
      rangePrefixV4: 24,
      rangePrefixV6: 56,
      capabilityPerSecond: 20,
      passwordRouteCost: 5,
      defaultPlan: 'standard',
      plans: { basic: { perMinute: 120, perDay: 10_000 }, standard: { perMinute: 1200, perDay: 200_000 }, bulk: { perMinute: 6000, perDay: 2_000_000 } },
      userPlans: {},
      onStoreFailure: 'local',
      queueMaxWaitMs: 0,
      queueMaxLength: 256,
    },
    resourceLimits: {
      maxConnectionsPerAddress: 256,
      maxHeaderBytes: 16_384,
      maxUrlLength: 4096,
      maxJsonDepth: 16,
      shedEventLoopDelayMs: 500,
      shedHeapUsedRatio: 0.9,
    },
    bodyLimitBytes: 1024 * 1024,
    hstsMaxAgeSeconds: 31_536_000,
    logLevel: 'info',
    tokenMaxLifetimeSeconds: 365 * 24 * 3600,
    sessionIdleTimeoutSeconds: 30 * 60,
    sessionAbsoluteTimeoutSeconds: 12 * 3600,
    webauthnRpId: 'localhost',
    auditAddressPrefixV4: 32,
    auditAddressPrefixV6: 128,
  };
}

/**
 * Builds the configuration from environment variables (plus `overrides`, used by tests),
 * validates it once, and freezes it. Unknown GATEHOUSE_* variables are errors.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: Partial<Config> = {},
): Readonly<Config> {
  const config = defaultConfig();
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('GATEHOUSE_') || raw === undefined) continue;
    const apply = ENV_SETTINGS[name];
    if (!apply) {
      throw new ConfigError(`Unknown setting ${name}. Known settings: ${CONFIG_VARIABLES.join(', ')}`);
    }
    apply(raw, config);
  }
  // These groups merge over the defaults and the environment, so a caller may set one field.
  const fromEnvironment = { rateLayers: { ...config.rateLayers }, resourceLimits: { ...config.resourceLimits } };
  Object.assign(config, overrides);
  if (overrides.rateLimit) config.rateLimit = { ...overrides.rateLimit };
  if (overrides.rateLayers) config.rateLayers = { ...fromEnvironment.rateLayers, ...overrides.rateLayers };
  if (overrides.resourceLimits) config.resourceLimits = { ...fromEnvironment.resourceLimits, ...overrides.resourceLimits };
  config.dataDir = path.resolve(config.dataDir);
  if (!config.databaseUrl) config.databaseUrl = `sqlite:${path.join(config.dataDir, 'gatehouse.sqlite')}`;
  if (!config.keyringFile) config.keyringFile = path.join(config.dataDir, 'keyring');
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
    throw new ConfigError('GATEHOUSE_TLS_CERT and GATEHOUSE_TLS_KEY must be set together');
  }
  const firstError = Value.Errors(ConfigSchema, config).First();
  if (firstError) {
    throw new ConfigError(`Invalid setting ${settingName(firstError.path)}: ${firstError.message}`);
  }
  if (!Object.hasOwn(config.rateLayers.plans, config.rateLayers.defaultPlan)) {
    throw new ConfigError(`Invalid setting GATEHOUSE_RATE_DEFAULT_PLAN: no plan "${config.rateLayers.defaultPlan}" (plans: ${Object.keys(config.rateLayers.plans).join(', ')})`);
  }
  for (const [user, plan] of Object.entries(config.rateLayers.userPlans)) {
    if (!Object.hasOwn(config.rateLayers.plans, plan)) throw new ConfigError(`Invalid setting GATEHOUSE_RATE_USER_PLANS: no plan "${plan}" for ${user}`);
  }
  if (config.sessionIdleTimeoutSeconds > config.sessionAbsoluteTimeoutSeconds) {
    throw new ConfigError('GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS must not exceed the absolute timeout');
  }
  return deepFreeze(config);
}

/** Config path (as a schema error reports it) → the variable that sets it, so errors name what the operator typed. */
const VARIABLE_OF_SETTING: Readonly<Record<string, string>> = {
  host: 'GATEHOUSE_HOST',
  port: 'GATEHOUSE_PORT',
  dataDir: 'GATEHOUSE_DATA_DIR',
  databaseUrl: 'GATEHOUSE_DATABASE_URL',
  redisUrl: 'GATEHOUSE_REDIS_URL',
  keyringFile: 'GATEHOUSE_KEYRING_FILE',
  tlsCertFile: 'GATEHOUSE_TLS_CERT',
  tlsKeyFile: 'GATEHOUSE_TLS_KEY',
  trustProxy: 'GATEHOUSE_TRUST_PROXY',
  openRegistration: 'GATEHOUSE_OPEN_REGISTRATION',
  'rateLimit.globalPerSecond': 'GATEHOUSE_RATE_GLOBAL_PER_SECOND',
  'rateLimit.addressPerSecond': 'GATEHOUSE_RATE_ADDRESS_PER_SECOND',
  'rateLimit.userPerSecond': 'GATEHOUSE_RATE_USER_PER_SECOND',
  bodyLimitBytes: 'GATEHOUSE_BODY_LIMIT_BYTES',
  'rateLayers.rangePerSecond': 'GATEHOUSE_RATE_RANGE_PER_SECOND',
  'rateLayers.rangePrefixV4': 'GATEHOUSE_RATE_RANGE_PREFIX_V4',
  'rateLayers.rangePrefixV6': 'GATEHOUSE_RATE_RANGE_PREFIX_V6',
  'rateLayers.capabilityPerSecond': 'GATEHOUSE_RATE_CAPABILITY_PER_SECOND',
  'rateLayers.passwordRouteCost': 'GATEHOUSE_RATE_PASSWORD_ROUTE_COST',
  'rateLayers.onStoreFailure': 'GATEHOUSE_RATE_ON_STORE_FAILURE',
  'rateLayers.queueMaxWaitMs': 'GATEHOUSE_RATE_QUEUE_MAX_WAIT_MS',
  'rateLayers.queueMaxLength': 'GATEHOUSE_RATE_QUEUE_LENGTH',
  'resourceLimits.maxConnectionsPerAddress': 'GATEHOUSE_MAX_CONNECTIONS_PER_ADDRESS',
  'resourceLimits.maxHeaderBytes': 'GATEHOUSE_MAX_HEADER_BYTES',
  'resourceLimits.maxUrlLength': 'GATEHOUSE_MAX_URL_LENGTH',
  'resourceLimits.maxJsonDepth': 'GATEHOUSE_MAX_JSON_DEPTH',
  'resourceLimits.shedEventLoopDelayMs': 'GATEHOUSE_SHED_EVENT_LOOP_DELAY_MS',
  'resourceLimits.shedHeapUsedRatio': 'GATEHOUSE_SHED_HEAP_USED_RATIO',
  hstsMaxAgeSeconds: 'GATEHOUSE_HSTS_MAX_AGE_SECONDS',
  logLevel: 'GATEHOUSE_LOG_LEVEL',
  tokenMaxLifetimeSeconds: 'GATEHOUSE_TOKEN_MAX_LIFETIME_SECONDS',
  sessionIdleTimeoutSeconds: 'GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS',
  sessionAbsoluteTimeoutSeconds: 'GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT_SECONDS',
  webauthnRpId: 'GATEHOUSE_WEBAUTHN_RP_ID',
  auditAddressPrefixV4: 'GATEHOUSE_AUDIT_ADDRESS_PREFIX_V4',
  auditAddressPrefixV6: 'GATEHOUSE_AUDIT_ADDRESS_PREFIX_V6',
  http2: 'GATEHOUSE_HTTP2',
  httpRedirectPort: 'GATEHOUSE_HTTP_REDIRECT_PORT',
};

function settingName(jsonPath: string): string {
  const setting = jsonPath.replace(/^\//, '').replaceAll('/', '.') || '(root)';
  // trustProxy.0 is set by GATEHOUSE_TRUST_PROXY as a whole.
  const variable = VARIABLE_OF_SETTING[setting] ?? VARIABLE_OF_SETTING[setting.replace(/\.\d+$/, '')];
  return variable ? `${variable} (${setting})` : setting;
}

function parseInteger(name: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`Invalid setting ${name}: expected a whole number, got "${raw}"`);
  return Number(raw);
}

/** `alice=bulk, bob=basic` → { alice: 'bulk', bob: 'basic' }. */
function parseAssignments(name: string, raw: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const pair of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key, value, ...rest] = pair.split('=').map((s) => s.trim());
    if (!key || !value || rest.length > 0) throw new ConfigError(`Invalid setting ${name}: expected user=plan pairs, got "${pair}"`);
    out[key] = value;
  }
  return out;
}

function parseNumber(name: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`Invalid setting ${name}: expected a number, got "${raw}"`);
  return n;
}

function parseBoolean(name: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new ConfigError(`Invalid setting ${name}: expected true or false, got "${raw}"`);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
