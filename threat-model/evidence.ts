/**
 * Evidence bundles the register reuses: the controls (declared in src/**\/controls.ts) and
 * the tests (full names as in test-results/tests.jsonl) that show one defence working.
 * `gatehouse threats check` fails if any of these tests did not run and pass.
 */
export interface Evidence {
  readonly controls: readonly string[];
  readonly tests: readonly string[];
}

const https = (title: string) => `test/pipeline/transport/https.test.ts > transport over the real HTTPS listener > ${title}`;
const authn = (title: string) => `test/pipeline/authn/authn.test.ts > authentication > ${title}`;
const limits = (suite: string, title: string) => `test/pipeline/ratelimit/ratelimit.test.ts > ${suite} > ${title}`;
const floodGate = (suite: string, title: string) => `test/pipeline/ratelimit/floodGate.test.ts > ${suite} > ${title}`;
const audit = (file: string, suite: string, title: string) => `test/audit/${file}.test.ts > ${suite} > ${title}`;
const PER_ADDRESS = 'per-address limit (2/s, bursts of 4)';
const PROXY = 'X-Forwarded-For from a configured proxy (trustProxy ["127.0.0.1"])';
const TAMPERING = 'tampering with the audit log file';
const ONE_TRANSACTION = 'a state change and its audit record are one transaction';

export const TLS: Evidence = {
  controls: ['tls-1.2-minimum', 'hsts'],
  tests: [
    https('accepts TLS 1.2 (forward-secret AEAD suite) and TLS 1.3'),
    https('refuses TLS 1.1 and 1.0 with a protocol_version alert'),
    https('refuses TLS 1.2 clients that offer only CBC (non-AEAD) suites'),
    https('plain HTTP sent to the TLS port gets no HTTP response'),
    https('responses carry HSTS and the other security headers, and no Server or X-Powered-By'),
  ],
};

export const SESSION_AUTH: Evidence = {
  controls: ['session-cookie', 'csrf-token', 'second-factor'],
  tests: [
    authn('browser login sets __Host-gh_session with HttpOnly, Secure, SameSite=Strict and Path=/'),
    'test/accounts/attacks/csrf.test.ts > attack: CSRF > refuses a cookie-borne write with no token: 403 csrf_failed, nothing changed',
    'test/accounts/attacks/csrf.test.ts > attack: CSRF > refuses a cookie-borne write with the right token but a foreign Origin: 403 csrf_failed, nothing changed',
    'test/accounts/attacks/session-fixation.test.ts > attack: session fixation > a planted made-up cookie is replaced at login and stays worthless',
    'test/accounts/attacks/logout-reuse.test.ts > attack: session reuse after logout > a copied cookie is dead after logout, for reads and writes',
    'test/crypto/keyRotation.test.ts > key rotation keeps browser sessions and trusted devices working (HTTPS) > refuses CSRF tokens forged under no csrf key of the keyring',
    'test/accounts/sessions.test.ts > browser sessions > stores only a hash of the session secret: the secret appears in no column of the sessions table',
  ],
};

export const TOKEN_AUTH: Evidence = {
  controls: ['hashed-api-tokens', 'capability-macaroons', 'uniform-auth-failure'],
  tests: [
    authn('unknown id, wrong secret, revoked, expired, foreign token: identical 401s'),
    'test/accounts/tokens.test.ts > API tokens > stores only a hash of the secret: the secret appears nowhere in the row',
    'test/apps/messaging/capabilities.test.ts > capabilities > refuses every attempt to widen a token',
    'test/apps/messaging/capabilities.test.ts > capabilities > revocation takes effect on the very next request',
  ],
};

export const LOGIN: Evidence = {
  controls: ['password-argon2id', 'login-throttle', 'second-factor', 'uniform-auth-failure'],
  tests: [
    limits('failed password checks per account (3 free, then doubling waits)', 'wrong passwords: 401 until the free failures are used, then 429 with the limit headers; recovers with time'),
    'test/accounts/attacks/enumeration.test.ts > attack: account enumeration > session: unknown user and wrong password get the same status, body and headers',
    'test/accounts/attacks/mfa-bypass.test.ts > attack: second-factor bypass > guessing codes is throttled like guessing passwords',
    'test/accounts/attacks/totp-replay.test.ts > attack: TOTP replay > a code used for a login is refused for a second login in the same step',
    'test/crypto/keyRotation.test.ts > key rotation keeps browser sessions and trusted devices working (HTTPS) > honours a device cookie issued before its key was rotated; refuses a forged one',
    'test/accounts/attacks/enumeration.test.ts > attack: account enumeration > basic: a locked account answers the right password exactly as a wrong one, and as a locked unknown name',
  ],
};

export const FLOOD: Evidence = {
  controls: ['rate-limit-before-authn', 'rate-limit-per-principal', 'flood-gate', 'body-limits', 'slow-client-limits', 'hashing-concurrency-gate'],
  tests: [
    limits(PER_ADDRESS, 'allows the burst, then 429 with Retry-After, RateLimit-Policy and RateLimit; recovers on schedule'),
    limits(PER_ADDRESS, 'runs before authentication: over the limit, an invalid token gets 429, not 401'),
    limits(PER_ADDRESS, 'runs before the body is read: oversized, broken or wrongly typed bodies get 429'),
    limits('global limit (1/s, bursts of 2)', 'limits the whole server, whoever asks'),
    limits('per-user limit after authentication (1/s, bursts of 2)', 'limits each user separately, whatever address they share'),
    'test/accounts/attacks/login-flood.test.ts > attack: login flood > the flood gets 503 + Retry-After beyond the hashing bound while a bearer user keeps working',
    'test/pipeline/hardening/hardening.test.ts > hardening > a body over 1 MiB is 413, with or without Content-Length',
    https('slow clients are bounded: header and request timeouts are set on the listener'),
    'test/server/http2Limits.test.ts > HTTP/2 listener: HTTP/1.1 clients keep the slow-client bounds > a slowloris over HTTP/1.1 is answered 408 and cut within the 10 s header bound (plus the 1 s sweep)',
    'test/attacks/slow-clients.test.ts > slow clients against the real HTTPS listener > slowloris: the normal client is served throughout, and the server cuts the slow connections',
    'test/attacks/slow-clients.test.ts > slow clients against the real HTTPS listener > slow body: the normal client is served throughout',
    'test/pipeline/ratelimit/quotaDrainAcrossStages.test.ts > a user past their plan does not drain the address budget (memory store) > alice gets 429s from her plan while bob, from the same address, keeps the rest of the address budget',
    'test/pipeline/ratelimit/quotaDrainAcrossStages.test.ts > a user past their plan who keeps sending their password still pays the address layer > Basic requests refused by the plan keep their address charge, so the address layer refuses before the next password hash',
    'test/pipeline/ratelimit/rangeFloodSockets.test.ts > range-wide flood over real connections from 127.0.0.0/24 > the /24 gets its burst plus what time refills; other ranges and a bearer user are served throughout',
    'test/pipeline/ratelimit/perCapabilityLimit.test.ts > per-capability limit (1/s, bursts of 2) > a link used past its limit gets 429 with the registry code and Retry-After; another link is unaffected; it recovers on schedule',
    floodGate('flood gate: 429 before routing, through the HTTPS listener', 'a flood gets the normal path\'s 429 byte for byte from the gate, every rejection audited, another address served'),
    floodGate('flood gate: 429 before routing, through the HTTPS listener', 'once the wait passes the address is served again, by the normal path'),
    floodGate('flood gate: a refund makes it forget', 'an address refused while a refund of its charge was on its way is served once the refund lands'),
    'test/pipeline/ratelimit/floodGateRedis.test.ts > flood gate with the rate limiter on Redis, two instances > each instance answers a flood the shared limit refused from its gate, byte for byte the normal 429, every rejection audited',
    'test/pipeline/ratelimit/refusalCache.test.ts > RefusalCache > over any sequence of requests, costs, refunds and times, a cached refusal is the store\'s own decision',
  ],
};

export const ELEVATION: Evidence = {
  controls: ['deny-by-default', 'space-roles', 'token-scopes', 'capability-scope', 'schema-validation', 'parameterized-sql'],
  tests: [
    'test/authz/matrix.test.ts > authorization matrix over the live route table > answers every route × caller × object exactly as the policy says',
    'test/authz/matrix.test.ts > authorization matrix over the live route table > does not open a route through path variants (trailing slash, case, encoded dots, double slashes)',
    'test/chapter.test.ts > the chapter’s security test cases > the first user cannot read the messages of the second user',
    'test/pipeline/authz/authz.test.ts > mass assignment: fields the caller may not set are refused, by name > POST /v1/users with a role or isAdmin',
    authn('a user who is not an administrator cannot obtain the admin scope'),
    'test/capabilities/caveats.test.ts > capability caveats > property: appending any caveats never widens the rights',
    'test/store/sqlInjection.test.ts > SQL injection > path parameters: payloads as spaceId, messageId, username or tokenId are 404 and leak nothing',
  ],
};

export const ELEVATION_PUBLIC: Evidence = {
  controls: ['deny-by-default', 'schema-validation', 'parameterized-sql', 'body-limits'],
  tests: [
    'test/pipeline/authz/authz.test.ts > route policies of the real app > an anonymous caller gets 401 unauthenticated on every other route, before any body is read',
    'test/chapter.test.ts > the chapter’s security test cases > a user who has not logged in cannot read any messages',
    'test/store/sqlInjection.test.ts > SQL injection > login: a payload as username or password never authenticates (401, same answer as any failure)',
    'test/store/sqlInjection.test.ts > SQL injection > registration: a payload as username is refused as invalid (400 naming username)',
    'test/pipeline/hardening/hardening.test.ts > hardening > prototype poisoning is refused (400) and pollutes nothing',
    'test/pipeline/hardening/hardening.test.ts > hardening > property: random bodies never cause a 5xx, a stack trace or a non-problem error',
  ],
};

export const ACCOUNTABILITY: Evidence = {
  controls: ['audit-every-request', 'audit-fail-closed', 'audit-hash-chain'],
  tests: [
    'test/pipeline/audit/audit.test.ts > audit log > every request leaves an attempt and an outcome record, whatever its fate',
    audit('questions', 'the audit log answers the chapter’s six questions', '1. who performed it, and with what client'),
    audit('rejections', 'rejections are audited with their precise reason', 'authentication: a bad token is denied (401), and the token is not recorded'),
    audit('failClosed', 'the audit log fails closed', 'refuses state changes with 503 audit_unavailable while the store fails, and performs none'),
    audit('transaction', ONE_TRANSACTION, 'when the outcome record cannot be committed, the change is rolled back and the client gets 503'),
    'test/pipeline/hardening/clientErrors.test.ts > requests refused by the HTTP parser > oversized headers: 431 headers_too_large as problem+json with the security headers, and audited',
    audit('tampering', TAMPERING, 'detects a modified field (outcome and status rewritten) and names the record'),
  ],
};

export const AUDIT_INTEGRITY: Evidence = {
  controls: ['audit-hash-chain'],
  tests: [
    audit('tampering', TAMPERING, 'detects a modified field (outcome and status rewritten) and names the record'),
    audit('tampering', TAMPERING, 'detects a deleted record, and one deleted with the rest renumbered'),
    audit('tampering', TAMPERING, 'detects an inserted record (a copy of a genuine one, MAC and all)'),
    audit('tampering', TAMPERING, 'detects the head cut off, and a forged prune anchor meant to hide it'),
    audit('tampering', TAMPERING, 'detects the tail cut off against a checkpoint kept elsewhere (file or string)'),
    audit('cli', 'gatehouse audit export and prune', 'refuses to prune a tampered log (pruning would erase the evidence)'),
  ],
};

export const AUDIT_PRIVACY: Evidence = {
  controls: ['audit-pii-minimised', 'log-redaction'],
  tests: [
    audit('privacy', 'audit records and privacy', 'contain no credential, cookie, token, query string or message body'),
    audit('privacy', 'audit records and privacy', 'truncates client addresses to the configured prefix, through the pipeline'),
    'test/server/logRedaction.test.ts > log redaction > redacts credentials wherever they appear in a log line',
  ],
};

export const AUDIT_AVAILABLE: Evidence = {
  controls: ['audit-fail-closed'],
  tests: [
    audit('failClosed', 'the audit log fails closed', 'refuses state changes with 503 audit_unavailable while the store fails, and performs none'),
    audit('failClosed', 'the audit log fails closed', 'writes the buffered records once the store is back, with the refusal in them, and the chain verifies'),
    audit('transaction', ONE_TRANSACTION, 'outcome records a crash left in the outbox are chained at the next start, and the chain verifies'),
    'test/operations/health-metrics.test.ts > health, readiness and metrics > reports not ready (503) when the database is gone, without saying why to the public',
  ],
};

export const NO_LEAKS: Evidence = {
  controls: ['problem-errors', 'log-redaction', 'uniform-auth-failure'],
  tests: [
    'test/pipeline/hardening/clientErrors.test.ts > requests refused by the HTTP parser > an unparsable request: 400 invalid_request as problem+json, and audited',
    'test/pipeline/hardening/hardening.test.ts > hardening > property: random paths and methods never cause a 5xx, a stack trace or a non-problem error',
    'test/server/logRedaction.test.ts > log redaction > redacts credentials wherever they appear in a log line',
    'test/apps/messaging/capabilities.test.ts > capabilities > mints a read capability whose share URL carries the token only in the fragment',
    'test/accounts/tokens.test.ts > unknown user and wrong password are indistinguishable > answers with the same status, headers and body (except requestId)',
  ],
};

export const AT_REST: Evidence = {
  controls: ['at-rest-encryption', 'keyring-rotation'],
  tests: [
    'test/apps/messaging/atRest.test.ts > message bodies at rest > leaves no plaintext in the database file or its WAL',
    'test/apps/messaging/atRest.test.ts > message bodies at rest > detects two ciphertexts swapped between rows',
    'test/apps/messaging/contacts.test.ts > contacts and direct messages > stores direct message bodies encrypted, bound to their row',
    'test/accounts/mfa/totpRoutes.test.ts > TOTP second factor > stores the secret encrypted, bound to its row',
    'test/crypto/aead.test.ts > AEAD values at rest > refuses any flipped bit',
  ],
};

export const SECRET_FILES: Evidence = {
  controls: ['secret-file-permissions'],
  tests: [
    'test/server/start.test.ts > startServer > creates the data dir 0700 with the keyring, database and dev certificate, all 0600',
    'test/crypto/keyring.test.ts > Keyring.loadOrCreate > refuses a keyring file with mode 644, naming the file',
    'test/server/devCertificate.test.ts > loadTlsMaterial without a configured certificate > generates the dev certificate into the data dir with files 0600, then reuses it',
  ],
};

export const FORWARDED_FOR: Evidence = {
  controls: ['trusted-proxy-only'],
  tests: [
    limits(PER_ADDRESS, 'a spoofed X-Forwarded-For neither moves the client to another bucket nor reaches the audit log'),
    limits(PROXY, 'uses the forwarded address for the limit and the audit log'),
    limits(PROXY, 'believes only the hop the proxy added, not what the client wrote before it'),
    floodGate('flood gate: 429 before routing, through the HTTPS listener', 'X-Forwarded-For from the trusted proxy names the client for the gate as for the limiter'),
    floodGate('flood gate: X-Forwarded-For from an untrusted peer', 'is ignored: every spoofed address is the peer\'s own, refused by the gate'),
  ],
};

export const SQL_INJECTION: Evidence = {
  controls: ['parameterized-sql', 'schema-validation'],
  tests: [
    'test/store/sqlInjection.test.ts > SQL injection > space names and message texts are stored and returned exactly as sent',
    'test/store/sqlInjection.test.ts > SQL injection > audit query filters > resource: % and _ match literally, never as wildcards',
    'test/store/sqlInjection.test.ts > SQL injection > every table is intact afterwards',
  ],
};

export const CERTIFICATE: Evidence = {
  controls: ['tls-1.2-minimum', 'secret-file-permissions'],
  tests: [
    'test/server/devCertificate.test.ts > loadTlsMaterial with a configured certificate > refuses a key that does not match the certificate',
    'test/server/devCertificate.test.ts > loadTlsMaterial with a configured certificate > refuses an expired certificate, saying when it expired',
    'test/server/tls.test.ts > TLS listener > keeps serving the old certificate when the new files are unusable',
    'test/cli/serveSighup.test.ts > gatehouse serve reloads the certificate on SIGHUP > serves the replaced certificate on a new connection after SIGHUP, still running',
    'test/server/tlsKeyPermissions.test.ts > TLS private key file permissions > refuses a configured key with mode 644, naming GATEHOUSE_TLS_KEY and the file',
    'test/server/tlsKeyPermissions.test.ts > TLS private key file permissions > refuses a generated development key that became readable by others, and leaves it as it was',
    'test/server/devCertificate.test.ts > generateDevCertificate > a client that trusts an earlier dev certificate and its successor verifies either (same subject, key identifiers)',
  ],
};

export const KEYRING: Evidence = {
  controls: ['secret-file-permissions', 'keyring-rotation'],
  tests: [
    'test/crypto/keyring.test.ts > Keyring.loadOrCreate > creates the file 0600 inside a new 0700 directory',
    'test/crypto/keyring.test.ts > Keyring.loadOrCreate > refuses a keyring file with mode 644, naming the file',
    'test/crypto/keyring.test.ts > Keyring.loadOrCreate > refuses a file that is not a keyring, or has a key shorter than 256 bits',
    'test/cli/keys.test.ts > gatehouse keys > rotates one purpose, keeping the old key, and re-encrypts stored values',
    'test/crypto/keyRotation.test.ts > key rotation keeps browser sessions and trusted devices working (HTTPS) > a logged-in browser keeps changing state with its CSRF token after the csrf key is rotated',
    'test/crypto/keyRotation.test.ts > TOTP secrets across `keys rotate totp` and `keys reencrypt` (HTTPS) > a user enrolled before the rotation logs in with a valid code after reencrypt, and after the old key is retired',
  ],
};

const redisPipeline = (suite: string, title: string) => `test/pipeline/ratelimit/redisPipeline.test.ts > ${suite} > ${title}`;
const REDIS_ACL = 'least privilege: Gatehouse runs as a Redis user that can touch only its own keys';
const redisAcl = (title: string) => `test/store/redisLeastPrivilege.test.ts > ${REDIS_ACL} > ${title}`;
const REDIS_INJECTION_ATTACK = (title: string) => `test/store/redisInjection.test.ts > attack: Redis command injection > ${title}`;

export const REDIS_FAIL_CLOSED: Evidence = {
  controls: ['shared-state-fail-closed'],
  tests: [
    redisPipeline('Redis unreachable', "'local' (the default): still limited, per instance, and counted in gatehouse_ratelimit_store_failures_total"),
    redisPipeline('Redis unreachable', "'deny': 503 overloaded with Retry-After"),
    redisPipeline('Redis unreachable', 'logins fail closed: 503 overloaded with Retry-After, for known and unknown accounts alike, on the record; /readyz 503'),
    'test/pipeline/ratelimit/redisBlackhole.test.ts > Redis accepts connections but never answers > the limiter falls back to local limits within a bound, counts the failure and logs a warning',
  ],
};

export const REDIS_SHARED_STATE: Evidence = {
  controls: ['shared-state-atomic', 'shared-state-bounded'],
  tests: [
    redisPipeline('rate limits shared through Redis', 'two instances, 200 parallel requests from one address: at most the burst (plus what time refills) is served'),
    'test/pipeline/ratelimit/stores.test.ts > RedisRateLimitStore memory bound > a key lives only until its bucket is full again, and a refused request does not extend it',
    'test/server/sharedStores.test.ts > shared stores on Redis > one connection per instance carries the limiter and the failed-login counters; close closes it',
    'test/pipeline/ratelimit/quotaDrainAcrossStages.test.ts > a user past their plan does not drain the address budget (redis store) > alice gets 429s from her plan while bob, from the same address, keeps the rest of the address budget',
  ],
};

export const REDIS_LEAST_PRIVILEGE: Evidence = {
  controls: ['redis-least-privilege'],
  tests: [
    redisAcl('serves logins, quotas, TOTP (a replayed code refused) and readiness with only that ACL'),
    redisAcl('Redis refuses CONFIG SET dir /tmp to that user'),
    redisAcl('Redis refuses MODULE LOAD /tmp/evil.so to that user'),
    redisAcl('Redis refuses ACL SETUSER <itself> +@all to that user'),
    redisAcl('Redis refuses FLUSHALL to that user'),
    redisAcl('Redis refuses KEYS * to that user'),
    redisAcl('Redis refuses GET session:secret to that user'),
    redisAcl('…and refuses keys outside its prefixes from inside a script, too'),
  ],
};

export const REDIS_INJECTION: Evidence = {
  controls: ['redis-input-as-arguments'],
  tests: [
    REDIS_INJECTION_ATTACK('login names are counted as literal keys through the pipeline; nothing else in Redis changes'),
    REDIS_INJECTION_ATTACK('each Redis store writes exactly one literal key per input and no other'),
  ],
};

/** Decisions taken with shared state, and its failure, are on the record. */
export const REDIS_ACCOUNTABILITY: Evidence = {
  controls: ['audit-every-request'],
  tests: [
    audit('rejections', 'rejections are audited with their precise reason', 'rate limit: the request over the address limit is denied (429)'),
    redisPipeline('Redis unreachable', 'logins fail closed: 503 overloaded with Retry-After, for known and unknown accounts alike, on the record; /readyz 503'),
  ],
};

/** Several bundles as one. */
export function both(...bundles: readonly Evidence[]): Evidence {
  return {
    controls: [...new Set(bundles.flatMap((b) => b.controls))],
    tests: [...new Set(bundles.flatMap((b) => b.tests))],
  };
}
