// Configuration (API.md "Configuration and command line", STYLE.md habit 6): safe defaults
// so a bare start works; every GATEHOUSE_* variable is applied; an unknown GATEHOUSE_*
// variable, a bad number or boolean, or a TLS certificate without its key is a ConfigError
// naming the variable; the result is frozen.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config/loadConfig.ts';
import type { Config } from '../../src/config/schema.ts';

/** Asserts that loading `env` throws a ConfigError whose message names `variable`. */
function assertConfigError(env: Record<string, string>, variable: string): void {
  assert.throws(() => loadConfig(env), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `a ConfigError for ${JSON.stringify(env)}, got ${String(err)}`);
    assert.ok(err.message.includes(variable), `"${err.message}" names ${variable}`);
    return true;
  });
}

describe('loadConfig defaults', () => {
  const config = loadConfig({});

  it('listens on 127.0.0.1:8443', () => {
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8443);
  });

  it('keeps data in ./data, resolved to an absolute path, with the SQLite file and keyring inside it', () => {
    assert.equal(config.dataDir, path.resolve('data'));
    assert.ok(path.isAbsolute(config.dataDir));
    assert.equal(config.databaseUrl, `sqlite:${path.join(config.dataDir, 'gatehouse.sqlite')}`);
    assert.equal(config.keyringFile, path.join(config.dataDir, 'keyring'));
  });

  it('is secure by default: open registration, no trusted proxies, no Redis, generated TLS, 1 MiB bodies', () => {
    assert.equal(config.openRegistration, true);
    assert.deepEqual(config.trustProxy, []);
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.tlsCertFile, undefined);
    assert.equal(config.tlsKeyFile, undefined);
    assert.equal(config.bodyLimitBytes, 1024 * 1024);
    assert.ok(config.hstsMaxAgeSeconds >= 31_536_000, 'HSTS for at least one year');
    assert.ok(config.sessionIdleTimeoutSeconds <= config.sessionAbsoluteTimeoutSeconds);
  });

  it('ignores variables outside the GATEHOUSE_ namespace', () => {
    assert.doesNotThrow(() => loadConfig({ PATH: '/usr/bin', HOME: '/root', NODE_ENV: 'test', GATEHOUSEX: '1' }));
  });

  it('puts the database and keyring inside a configured data dir', () => {
    const c = loadConfig({ GATEHOUSE_DATA_DIR: 'relative/dir' });
    assert.equal(c.dataDir, path.resolve('relative/dir'));
    assert.equal(c.databaseUrl, `sqlite:${path.join(path.resolve('relative/dir'), 'gatehouse.sqlite')}`);
    assert.equal(c.keyringFile, path.join(path.resolve('relative/dir'), 'keyring'));
  });
});

describe('each GATEHOUSE_* variable', () => {
  const cases: [variable: string, raw: string, read: (c: Readonly<Config>) => unknown, expected: unknown][] = [
    ['GATEHOUSE_HOST', '0.0.0.0', (c) => c.host, '0.0.0.0'],
    ['GATEHOUSE_PORT', '9443', (c) => c.port, 9443],
    ['GATEHOUSE_DATA_DIR', '/var/lib/gatehouse', (c) => c.dataDir, '/var/lib/gatehouse'],
    ['GATEHOUSE_DATABASE_URL', 'sqlite:/tmp/elsewhere.sqlite', (c) => c.databaseUrl, 'sqlite:/tmp/elsewhere.sqlite'],
    ['GATEHOUSE_REDIS_URL', 'redis://cache:6379', (c) => c.redisUrl, 'redis://cache:6379'],
    ['GATEHOUSE_KEYRING_FILE', '/etc/gatehouse/keyring', (c) => c.keyringFile, '/etc/gatehouse/keyring'],
    ['GATEHOUSE_TRUST_PROXY', '10.0.0.1, 192.168.0.0/16,,', (c) => c.trustProxy, ['10.0.0.1', '192.168.0.0/16']],
    ['GATEHOUSE_OPEN_REGISTRATION', 'false', (c) => c.openRegistration, false],
    ['GATEHOUSE_RATE_GLOBAL_PER_SECOND', '250', (c) => c.rateLimit.globalPerSecond, 250],
    ['GATEHOUSE_RATE_ADDRESS_PER_SECOND', '2.5', (c) => c.rateLimit.addressPerSecond, 2.5],
    ['GATEHOUSE_RATE_USER_PER_SECOND', '7', (c) => c.rateLimit.userPerSecond, 7],
    ['GATEHOUSE_WEBAUTHN_RP_ID', 'gatehouse.example', (c) => c.webauthnRpId, 'gatehouse.example'],
    ['GATEHOUSE_AUDIT_ADDRESS_PREFIX_V4', '24', (c) => c.auditAddressPrefixV4, 24],
    ['GATEHOUSE_AUDIT_ADDRESS_PREFIX_V6', '56', (c) => c.auditAddressPrefixV6, 56],
    ['GATEHOUSE_HTTP2', 'true', (c) => c.http2, true],
    ['GATEHOUSE_HTTP_REDIRECT_PORT', '8080', (c) => c.httpRedirectPort, 8080],
    ['GATEHOUSE_BODY_LIMIT_BYTES', '4096', (c) => c.bodyLimitBytes, 4096],
    ['GATEHOUSE_HSTS_MAX_AGE_SECONDS', '63072000', (c) => c.hstsMaxAgeSeconds, 63_072_000],
    ['GATEHOUSE_LOG_LEVEL', 'warn', (c) => c.logLevel, 'warn'],
    ['GATEHOUSE_TOKEN_MAX_LIFETIME_SECONDS', '3600', (c) => c.tokenMaxLifetimeSeconds, 3600],
    ['GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS', '120', (c) => c.sessionIdleTimeoutSeconds, 120],
    ['GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT_SECONDS', '7200', (c) => c.sessionAbsoluteTimeoutSeconds, 7200],
    ['GATEHOUSE_RATE_RANGE_PER_SECOND', '40', (c) => c.rateLayers.rangePerSecond, 40],
    ['GATEHOUSE_RATE_RANGE_PREFIX_V4', '16', (c) => c.rateLayers.rangePrefixV4, 16],
    ['GATEHOUSE_RATE_RANGE_PREFIX_V6', '48', (c) => c.rateLayers.rangePrefixV6, 48],
    ['GATEHOUSE_RATE_CAPABILITY_PER_SECOND', '3', (c) => c.rateLayers.capabilityPerSecond, 3],
    ['GATEHOUSE_RATE_PASSWORD_ROUTE_COST', '10', (c) => c.rateLayers.passwordRouteCost, 10],
    ['GATEHOUSE_RATE_DEFAULT_PLAN', 'basic', (c) => c.rateLayers.defaultPlan, 'basic'],
    ['GATEHOUSE_RATE_USER_PLANS', 'alice=bulk, bob=basic', (c) => ({ ...c.rateLayers.userPlans }), { alice: 'bulk', bob: 'basic' }],
    ['GATEHOUSE_RATE_ON_STORE_FAILURE', 'deny', (c) => c.rateLayers.onStoreFailure, 'deny'],
    ['GATEHOUSE_RATE_QUEUE_MAX_WAIT_MS', '250', (c) => c.rateLayers.queueMaxWaitMs, 250],
    ['GATEHOUSE_RATE_QUEUE_LENGTH', '16', (c) => c.rateLayers.queueMaxLength, 16],
    ['GATEHOUSE_MAX_CONNECTIONS_PER_ADDRESS', '8', (c) => c.resourceLimits.maxConnectionsPerAddress, 8],
    ['GATEHOUSE_MAX_HEADER_BYTES', '8192', (c) => c.resourceLimits.maxHeaderBytes, 8192],
    ['GATEHOUSE_MAX_URL_LENGTH', '1024', (c) => c.resourceLimits.maxUrlLength, 1024],
    ['GATEHOUSE_MAX_JSON_DEPTH', '8', (c) => c.resourceLimits.maxJsonDepth, 8],
    ['GATEHOUSE_SHED_EVENT_LOOP_DELAY_MS', '100', (c) => c.resourceLimits.shedEventLoopDelayMs, 100],
    ['GATEHOUSE_SHED_HEAP_USED_RATIO', '0.75', (c) => c.resourceLimits.shedHeapUsedRatio, 0.75],
  ];

  it('is covered here (a new variable needs a case)', () => {
    const covered = new Set([...cases.map(([v]) => v), 'GATEHOUSE_TLS_CERT', 'GATEHOUSE_TLS_KEY']);
    assert.deepEqual(CONFIG_VARIABLES.filter((v) => !covered.has(v)), []);
  });

  for (const [variable, raw, read, expected] of cases) {
    it(`${variable}=${raw} is applied`, () => {
      const c = loadConfig({ [variable]: raw });
      assert.deepEqual(read(c), expected);
      assert.notDeepEqual(read(loadConfig({})), expected, 'the case differs from the default');
    });
  }

  it('GATEHOUSE_TLS_CERT and GATEHOUSE_TLS_KEY are applied together', () => {
    const c = loadConfig({ GATEHOUSE_TLS_CERT: '/etc/tls/cert.pem', GATEHOUSE_TLS_KEY: '/etc/tls/key.pem' });
    assert.equal(c.tlsCertFile, '/etc/tls/cert.pem');
    assert.equal(c.tlsKeyFile, '/etc/tls/key.pem');
  });

  it('accepts the spellings of booleans', () => {
    for (const raw of ['true', 'TRUE', '1', 'yes', ' true ']) assert.equal(loadConfig({ GATEHOUSE_OPEN_REGISTRATION: raw }).openRegistration, true, raw);
    for (const raw of ['false', 'False', '0', 'no']) assert.equal(loadConfig({ GATEHOUSE_OPEN_REGISTRATION: raw }).openRegistration, false, raw);
  });
});

describe('invalid configuration is a ConfigError naming the variable', () => {
  it('an unknown GATEHOUSE_ variable (a typo is an error, not a no-op)', () => {
    assertConfigError({ GATEHOUSE_PROT: '8443' }, 'GATEHOUSE_PROT');
    assertConfigError({ GATEHOUSE_OPEN_REGISTRATON: 'false' }, 'GATEHOUSE_OPEN_REGISTRATON');
  });

  for (const [variable, raw] of [
    ['GATEHOUSE_PORT', 'https'],
    ['GATEHOUSE_PORT', '-1'],
    ['GATEHOUSE_PORT', '84.43'],
    ['GATEHOUSE_PORT', '8443abc'],
    ['GATEHOUSE_PORT', ''],
    ['GATEHOUSE_PORT', '70000'],
    ['GATEHOUSE_BODY_LIMIT_BYTES', '1mb'],
    ['GATEHOUSE_BODY_LIMIT_BYTES', '10'],
    ['GATEHOUSE_HSTS_MAX_AGE_SECONDS', 'forever'],
    // Issue 7: HSTS for at least one year; shorter (or 0, which turns HSTS off) is refused.
    ['GATEHOUSE_HSTS_MAX_AGE_SECONDS', '31535999'],
    ['GATEHOUSE_HSTS_MAX_AGE_SECONDS', '600'],
    ['GATEHOUSE_HSTS_MAX_AGE_SECONDS', '0'],
    ['GATEHOUSE_TOKEN_MAX_LIFETIME_SECONDS', '5'],
    ['GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS', 'soon'],
    ['GATEHOUSE_RATE_GLOBAL_PER_SECOND', 'lots'],
    ['GATEHOUSE_RATE_GLOBAL_PER_SECOND', ''],
    ['GATEHOUSE_RATE_ADDRESS_PER_SECOND', 'Infinity'],
    ['GATEHOUSE_RATE_USER_PER_SECOND', '0'],
    ['GATEHOUSE_RATE_LOGIN_PER_ACCOUNT_PER_MINUTE', '-3'],
    ['GATEHOUSE_OPEN_REGISTRATION', 'maybe'],
    ['GATEHOUSE_OPEN_REGISTRATION', ''],
    ['GATEHOUSE_LOG_LEVEL', 'verbose'],
    ['GATEHOUSE_HOST', ''],
    ['GATEHOUSE_RATE_DEFAULT_PLAN', 'platinum'],
    ['GATEHOUSE_RATE_ON_STORE_FAILURE', 'ignore'],
    ['GATEHOUSE_RATE_USER_PLANS', 'alice=platinum'],
    ['GATEHOUSE_RATE_USER_PLANS', 'alice'],
    ['GATEHOUSE_RATE_RANGE_PREFIX_V4', '33'],
    ['GATEHOUSE_RATE_QUEUE_MAX_WAIT_MS', '60000'],
    ['GATEHOUSE_MAX_CONNECTIONS_PER_ADDRESS', '0'],
    ['GATEHOUSE_SHED_HEAP_USED_RATIO', '1.5'],
  ] as const) {
    it(`${variable}=${JSON.stringify(raw)}`, () => assertConfigError({ [variable]: raw }, variable));
  }

  it('a TLS certificate without its key, or a key without its certificate', () => {
    assertConfigError({ GATEHOUSE_TLS_CERT: '/etc/tls/cert.pem' }, 'GATEHOUSE_TLS_KEY');
    assertConfigError({ GATEHOUSE_TLS_KEY: '/etc/tls/key.pem' }, 'GATEHOUSE_TLS_CERT');
  });

  it('HSTS shorter than one year, saying the minimum (issue 7)', () => {
    assert.throws(() => loadConfig({ GATEHOUSE_HSTS_MAX_AGE_SECONDS: '86400' }), (err: unknown) =>
      err instanceof ConfigError && /GATEHOUSE_HSTS_MAX_AGE_SECONDS/.test(err.message) && /31536000/.test(err.message));
    assert.equal(loadConfig({ GATEHOUSE_HSTS_MAX_AGE_SECONDS: '31536000' }).hstsMaxAgeSeconds, 31_536_000);
  });

  it('an idle timeout longer than the absolute timeout', () => {
    assertConfigError(
      { GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS: '7200', GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT_SECONDS: '3600' },
      'GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS',
    );
  });

  it('unknown keys in overrides are refused too', () => {
    assert.throws(() => loadConfig({}, { unsafeAnything: true } as unknown as Partial<Config>), ConfigError);
  });
});

describe('the loaded configuration', () => {
  it('is frozen, nested objects and arrays included', () => {
    const c = loadConfig({ GATEHOUSE_TRUST_PROXY: '10.0.0.1' });
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.rateLimit));
    assert.ok(Object.isFrozen(c.trustProxy));
    const mutable = c as unknown as { port: number; rateLimit: { globalPerSecond: number }; trustProxy: string[] };
    assert.throws(() => (mutable.port = 1), TypeError);
    assert.throws(() => (mutable.rateLimit.globalPerSecond = 1e6), TypeError);
    assert.throws(() => mutable.trustProxy.push('0.0.0.0/0'), TypeError);
    assert.equal(c.port, 8443);
  });

  it('does not share state between loads', () => {
    const a = loadConfig({ GATEHOUSE_RATE_USER_PER_SECOND: '3' });
    const b = loadConfig({});
    assert.equal(a.rateLimit.userPerSecond, 3);
    assert.notEqual(b.rateLimit.userPerSecond, 3);
  });

  it('merges group overrides from a caller over the environment, field by field', () => {
    const c = loadConfig({ GATEHOUSE_RATE_RANGE_PER_SECOND: '7' }, { rateLayers: { capabilityPerSecond: 3 } as Config['rateLayers'] });
    assert.equal(c.rateLayers.rangePerSecond, 7, 'the environment is kept');
    assert.equal(c.rateLayers.capabilityPerSecond, 3, 'the override applies');
  });
});
