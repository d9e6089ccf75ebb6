import type { RegisterEntry, ThreatRegister } from '../src/threatmodel/register.ts';
import {
  ACCOUNTABILITY, AT_REST, AUDIT_AVAILABLE, AUDIT_INTEGRITY, AUDIT_PRIVACY, CERTIFICATE, ELEVATION, ELEVATION_PUBLIC, FLOOD,
  FORWARDED_FOR, KEYRING, LOGIN, NO_LEAKS, REDIS_ACCOUNTABILITY, REDIS_FAIL_CLOSED, REDIS_INJECTION, REDIS_LEAST_PRIVILEGE,
  REDIS_SHARED_STATE, SECRET_FILES, SESSION_AUTH, SQL_INJECTION, TLS, TOKEN_AUTH, both, type Evidence,
} from './evidence.ts';
import { BROWSER_CSRF, FRAMING, MARKUP_INJECTION, SCRIPT_INJECTION } from './browserEvidence.ts';

/**
 * Gatehouse's threat register: one entry per threat that generateThreats finds in
 * threat-model/gatehouse.ts (ids are content hashes; the comment says what each is about).
 * Read it as a table in docs/threat-model/gatehouse.md. `gatehouse threats check` fails when
 * an entry names an undeclared control or a test that did not pass, or matches no threat.
 */
const J = {
  accountability: 'Every request leaves an attempt and an outcome record naming the principal and client; state changes wait for theirs; the records are MAC-chained.',
  atRest: 'Message bodies and TOTP secrets are AEAD ciphertext bound to their row; passwords, tokens, sessions and recovery codes are stored only as hashes.',
  auditAvailable: 'If audit records cannot be written, state changes are refused (503) rather than done unaudited; buffered records are written once the store is back.',
  auditIntegrity: 'Audit records are MAC-chained with a keyring key: changed, inserted, deleted, swapped or truncated records are found by audit verify and checkpoints.',
  auditPrivacy: 'Audit records hold no credential or message body, and client addresses only to the configured prefix.',
  browserCsrf: 'The session cookie is SameSite=Strict, so requests another site starts do not carry it; should a browser send it anyway, the write lacks the session\'s CSRF token (which the page keeps in memory only) and has a foreign Origin: 403 csrf_failed, nothing changed.',
  backups: 'Backups of the database are the operator\'s; while it is unavailable readiness is 503 and state changes are refused.',
  cliNoPrivilege: 'The CLI runs as the gatehouse account the operator already holds; it grants nothing beyond it.',
  cliFlood: 'Only the operator starts the CLI, on the server host, as the gatehouse account: a flood from it is the operator\'s own doing (host process limits are the deployer\'s). While the database is overloaded or down, Gatehouse\'s readiness is 503 and its state changes fail closed rather than go unaudited.',
  cliInput: 'To run the CLI the operator must already hold the gatehouse OS account, and the CLI does nothing that account could not do to the data directly; what the operator types is still validated (user names, password strength) and reaches SQL only as parameters.',
  cliNoListener: 'Each CLI command is a short-lived process the operator starts; it listens on nothing, so only someone who already has a shell as the gatehouse account can start it, and then has more direct means of harm.',
  cliSqlDown: 'The CLI reaches the database on the same host (the SQLite file or a local socket), over no network anyone else shares; if it cannot, the command fails with a non-zero exit and the operator reruns it once the database is back. Its availability is the database\'s (see that element).',
  cliShowsNoKeys: 'The CLI prints no key material and reads passwords from standard input without echo; the rest is the operator\'s terminal.',
  dbAccess: 'Only the gatehouse account can open the database: SQLite file 0600 in a 0700 data dir (PostgreSQL: the credentials in GATEHOUSE_DATABASE_URL).',
  dbActsForGatehouse: 'The database acts only on Gatehouse\'s behalf; who caused each change is in Gatehouse\'s audit log.',
  dbDown: 'A database outage makes readiness 503 and state changes fail closed; rate limits upstream bound the query load.',
  dbFlood: 'Rate limits and body limits upstream bound the query rate; a failing database fails closed (503), never unaudited.',
  elevation: 'Deny by default: every route has a policy; space roles, token scopes and capability caveats decide each request; input is schema-validated and reaches SQL only as parameters.',
  elevationPublic: 'Anonymous callers reach only the public routes; their input is schema-validated (no extra fields, no prototype poisoning) and reaches SQL only as parameters.',
  filesTampered: 'Files 0600 under the database account; encrypted columns fail their AEAD check and audit changes break the chain. Other columns rely on the file permissions.',
  filesRead: 'Files 0600 under the database account; what is secret in them is ciphertext or a hash.',
  flood: 'Global and per-address limits run before authentication, body reading and any query; per-user quotas after; bounded bodies, slow clients cut, bounded hashing queue (503).',
  floodBehindProxy: 'Behind a trusted proxy the limits apply per forwarded client address, so the proxy is not one shared bucket.',
  framing: 'The page\'s CSP says frame-ancestors \'none\' (so does /docs), and every response carries X-Frame-Options: DENY: in another site\'s frame nothing of the UI renders.',
  forwardedFor: 'X-Forwarded-For is believed only from configured proxy addresses, and only the hop the proxy added; requests still carry their callers\' own credentials.',
  installedCode: 'Integrity of installed code (Node, npm ci from the lockfile, the DBMS) is the host\'s and the deployer\'s; out of this repository\'s reach.',
  keyringBackup: 'Losing the keyring loses encrypted data and audit MAC verification: the operator backs it up; rotation keeps old keys.',
  keyringFile: 'The keyring is 0600 in a 0700 dir; looser modes are refused at start; it is read only by its own account.',
  login: 'These routes establish identity: argon2id checks throttled per account, device, address and range; optional second factor; identical failures.',
  markup: 'The UI puts messages, names and error details into the page only as text (textContent): markup such as <img onerror> or <script> in a message is shown as inert text; the page CSP would refuse its script anyway.',
  operatorLogin: 'The operator is authenticated by the host (SSH keys, OS account); the CLI adds no login of its own.',
  operatorOnPurpose: 'Only the operator starts these commands, on the local host; no outside input reaches them.',
  operatorRepudiation: 'Host logins are the OS\'s record; whatever an operator does to the audit log (rewrite, prune, cut) is detectable against checkpoints kept elsewhere.',
  osRecordsOperator: 'Who ran a CLI command is the OS\'s record (shell history, auth log); the CLI changes are visible in the data and the audit chain.',
  proxy: 'The TLS-terminating proxy is optional, third-party and operated by the deployer (MISSION.md §6); Gatehouse trusts it only for the client address, and only when configured.',
  proxyPage: 'Behind the optional proxy the page, its CSP, X-Frame-Options and the CSRF checks still come from Gatehouse end to end; a proxy that strips or rewrites response headers, or injects content into pages, is the deployer\'s to configure (MISSION.md §6).',
  proxyAccountability: 'Gatehouse records every forwarded request with the client address the trusted proxy reports.',
  proxyFlood: 'The proxy\'s own limits are the deployer\'s; behind it Gatehouse still limits per forwarded client address.',
  proxyForwardsAnyone: 'The proxy forwards anyone\'s requests by design; Gatehouse authenticates each request\'s own credentials end to end behind it.',
  proxyReencrypts: 'Gatehouse listens only for HTTPS (TLS 1.2+, AEAD), so the proxy re-encrypts to it.',
  proxyTls: 'TLS between clients and the proxy is the deployer\'s configuration; the recommended one mirrors Gatehouse\'s (TLS 1.2+, AEAD).',
  redisAccountability: 'Redis acts only for Gatehouse: every decision taken with its state (a 429, a throttled login, a refused TOTP code) and every refusal because Redis failed is in Gatehouse\'s audit log with its reason.',
  redisClientAuth: 'Redis authenticates Gatehouse by the ACL user and password in GATEHOUSE_REDIS_URL (deploy/redis-acl.conf; the tests run the whole server as that user). Turning off Redis\'s passwordless default user is the deployer\'s; whoever holds the password can do no more than that user may.',
  redisDisclosure: 'Redis holds counters and timestamps keyed by user names (at login as typed: a secret typed into the name field stays until forgotten, at most an hour), client addresses and ids; no password, token, session or TOTP secret. Gatehouse\'s Redis user cannot list or read other keys (tested); Redis\'s files and other users are the deployer\'s.',
  redisDown: 'Redis down: commands fail at once (no offline queue); limits fall back to each instance\'s own state or 503 (GATEHOUSE_RATE_ON_STORE_FAILURE), never "no limit"; logins and TOTP checks answer 503; /readyz reports it. Every key Gatehouse writes expires, so its keys cannot fill Redis.',
  redisFlood: 'Gatehouse cannot flood Redis: one connection per instance, a few fixed scripts per request (one for the limits), and every key expires when its state is spent (a limit when its bucket is full again), so Redis memory is bounded by the clients being limited; requests are bounded upstream.',
  redisImpostor: 'Over redis:// Gatehouse cannot tell Redis from an impostor: run Redis on the same host (loopback, or a UNIX socket path as GATEHOUSE_REDIS_URL) under its own account, or use rediss:// (TLS, certificate verified) across hosts. An impostor could lift rate limits and failed-login throttling or let a TOTP code be used twice in its window, but authenticates no one: credentials, sessions and revocation live in the database.',
  redisInjection: 'The Lua scripts are constants; what clients choose (login names, addresses, ids) reaches Redis only as keys and arguments (length-prefixed RESP strings), never as command or script text: injection payloads become literal keys and change nothing else (tested). With the shipped ACL Redis also refuses anything outside Gatehouse\'s keys and commands.',
  redisPrivilege: 'With the shipped ACL (deploy/redis-acl.conf) Gatehouse\'s Redis user reaches only its three key prefixes and the commands its scripts need; Redis refuses FLUSHALL, KEYS, CONFIG (the Redis-to-shell route), MODULE, ACL, SHUTDOWN and other keys, also inside scripts (tested). Input reaches Redis only as script arguments (tested).',
  redisTampering: 'Redis\'s data and configuration are guarded by its own access control; Gatehouse\'s user cannot reconfigure Redis or touch keys beyond its prefixes (tested). Whoever else can write those keys could only loosen abuse limits (rate limits, failed-login counts, used TOTP steps within their window): credentials, sessions and revocation live in the database.',
  redisTransit: 'RESP is unencrypted: keep Redis on the same host (loopback, or a UNIX socket readable only by its account) or use rediss:// across hosts. What crosses is key names (user names, client addresses, ids) and counters, no credential; a change in transit could only loosen abuse limits or refuse requests.',
  rogueAdmin: 'A rogue administrator erasing or rewriting the trail (book §1.5.4) is detected: the MAC chain and signed checkpoints kept outside the server.',
  scriptInjection: 'The page runs only its own script files: PAGE_CSP allows no inline code, so an injected <script> or on*= handler is refused (and reported); the UI never parses data as HTML, so stored or reflected input cannot become script. /docs runs no script at all.',
  serverIdentity: 'Clients authenticate the server by its TLS certificate; its key file is 0600; a mismatched or expired certificate is refused.',
  serverLeaks: 'Errors are problem+json without stack traces, logs redact credentials, and the secrets Gatehouse stores are ciphertext or hashes.',
  session: 'Every request proves its session (a hashed __Host- cookie, renewed at login, dead after logout); state changes also need the session\'s CSRF token.',
  sqlInjection: 'No SQL is built from strings: Kysely binds every value, LIKE patterns are escaped; the injection suite leaves every table intact.',
  sqlLocalI: 'The flow stays on one host (in-process, or a UNIX socket); the secret columns cross already encrypted or hashed.',
  sqlLocalT: 'The flow stays on one host (in-process, or a UNIX socket); a changed encrypted value or audit record is detected; other columns rely on OS-account separation.',
  sshDown: 'The operator\'s SSH session is the host\'s: its availability (sshd, network) is the deployer\'s, and losing it stops only the operator\'s own command; the server keeps serving.',
  ssh: 'SSH protects the operator\'s terminal session; passwords are read from standard input without echo.',
  tls: 'TLS 1.2+ with forward-secret AEAD suites only, HSTS: a change in transit breaks the connection.',
  tlsFiles: 'Certificate and key 0600 in a 0700 dir; a key that does not match its certificate, or an expired certificate, is refused.',
  tlsNoLeaks: 'Encrypted in transit (TLS 1.2+, AEAD); errors and logs never echo credentials; capability share URLs keep the token in the fragment.',
  tlsReload: 'A certificate reload with unusable files keeps serving the old certificate.',
  token: 'Bearer tokens (hash) and capabilities (MAC) are verified on every request; every failure is the same 401.',
} as const;

const CLI_INPUT: Evidence = {
  controls: ['parameterized-sql'],
  tests: [
    'test/cli/cli.test.ts > gatehouse user add > an invalid username: exit 2 with the rule, before any password is asked for',
    'test/cli/cli.test.ts > gatehouse user add > a weak password: exit 1 with the reason, and no user created',
  ],
};
const CLI_KEYS: Evidence = { controls: ['keyring-rotation'], tests: ['test/cli/keys.test.ts > gatehouse keys > lists keys without key material'] };

function m(threat: string, evidence: Evidence, justification: string): RegisterEntry {
  return { threat, status: 'mitigated', justification, controls: evidence.controls, tests: evidence.tests };
}
function accepted(threat: string, justification: string, evidence?: Evidence): RegisterEntry {
  return { threat, status: 'accepted', justification, ...(evidence ? { controls: evidence.controls, tests: evidence.tests } : {}) };
}
function notApplicable(threat: string, justification: string): RegisterEntry {
  return { threat, status: 'not-applicable', justification };
}

export const GATEHOUSE_REGISTER: ThreatRegister = [
  m('TM-24b5e75300', ACCOUNTABILITY, J.accountability), // R api-client
  m('TM-0ba51213c5', TOKEN_AUTH, J.token), // S api-client
  m('TM-f2330008c9', AUDIT_AVAILABLE, J.auditAvailable), // D audit-log
  m('TM-bc6a623c2d', AUDIT_PRIVACY, J.auditPrivacy), // I audit-log
  m('TM-1c00189284', AUDIT_INTEGRITY, J.rogueAdmin), // R audit-log
  m('TM-e922c48b9b', AUDIT_INTEGRITY, J.auditIntegrity), // T audit-log
  m('TM-ec9c6f833b', ACCOUNTABILITY, J.accountability), // R browser
  m('TM-26e7cb41cf', SESSION_AUTH, J.session), // S browser
  accepted('TM-673ffd3a9f', J.proxy), // E browser-proxy (crossing-elevation)
  accepted('TM-5a80b2c18b', J.proxyFlood, both(FLOOD, FORWARDED_FOR)), // D browser-proxy (crossing-flood)
  m('TM-08ab53852f', both(ACCOUNTABILITY, FORWARDED_FOR), J.proxyAccountability), // R browser-proxy (crossing-repudiation)
  accepted('TM-70dc7f9360', J.proxyForwardsAnyone, both(SESSION_AUTH, TOKEN_AUTH)), // S browser-proxy (crossing-spoofed-sender)
  accepted('TM-3871438776', J.proxyFlood, both(FLOOD, FORWARDED_FOR)), // D browser-proxy
  accepted('TM-0017b41a85', J.proxyPage, SCRIPT_INJECTION), // E browser-proxy (browser-script-injection)
  accepted('TM-06210553e6', J.proxyPage, FRAMING), // S browser-proxy (browser-framing)
  accepted('TM-ee6b3a16fc', J.proxyPage, MARKUP_INJECTION), // T browser-proxy (browser-markup-injection)
  accepted('TM-d20bf69a9a', J.proxyTls), // I browser-proxy
  accepted('TM-deb3d9faf1', J.proxyTls), // T browser-proxy
  m('TM-9d13154db5', ELEVATION_PUBLIC, J.elevationPublic), // E browser-public (crossing-elevation)
  m('TM-9b29088ac9', FLOOD, J.flood), // D browser-public (crossing-flood)
  m('TM-4a57d9ef1d', ACCOUNTABILITY, J.accountability), // R browser-public (crossing-repudiation)
  m('TM-e4e1c0a851', LOGIN, J.login), // S browser-public (crossing-spoofed-sender)
  m('TM-f1f0da2637', FLOOD, J.flood), // D browser-public
  m('TM-cd3694bbf2', both(TLS, NO_LEAKS), J.tlsNoLeaks), // I browser-public
  m('TM-b33cce871f', TLS, J.tls), // T browser-public
  m('TM-8414f9013d', SCRIPT_INJECTION, J.scriptInjection), // E browser-public (browser-script-injection)
  m('TM-0918fe4ea2', FRAMING, J.framing), // S browser-public (browser-framing)
  m('TM-822a2e8b73', MARKUP_INJECTION, J.markup), // T browser-public (browser-markup-injection)
  m('TM-ce76accddd', ELEVATION, J.elevation), // E browser-session (crossing-elevation)
  m('TM-abec13aa14', FLOOD, J.flood), // D browser-session (crossing-flood)
  m('TM-92e6ef9391', ACCOUNTABILITY, J.accountability), // R browser-session (crossing-repudiation)
  m('TM-e3222e81a3', SESSION_AUTH, J.session), // S browser-session (crossing-spoofed-sender)
  m('TM-2564d1ecfd', FLOOD, J.flood), // D browser-session
  m('TM-7e67b2f60e', both(TLS, NO_LEAKS), J.tlsNoLeaks), // I browser-session
  m('TM-b789b05a16', TLS, J.tls), // T browser-session
  m('TM-b13f289241', SCRIPT_INJECTION, J.scriptInjection), // E browser-session (browser-script-injection)
  m('TM-bd4bf44b87', FRAMING, J.framing), // S browser-session (browser-framing)
  m('TM-dfebd16b81', BROWSER_CSRF, J.browserCsrf), // S browser-session (browser-request-forgery)
  m('TM-6bdbb9b2a9', MARKUP_INJECTION, J.markup), // T browser-session (browser-markup-injection)
  notApplicable('TM-de389e0512', J.operatorOnPurpose), // D cli
  notApplicable('TM-01a48f7fe3', J.cliNoPrivilege), // E cli
  accepted('TM-f18532609f', J.cliShowsNoKeys, CLI_KEYS), // I cli
  accepted('TM-9e0c7182e7', J.osRecordsOperator), // R cli
  accepted('TM-ca35c2f23b', J.installedCode), // S cli
  accepted('TM-79fcd5c9a8', J.installedCode), // T cli
  m('TM-a9f611bba6', SQL_INJECTION, J.sqlInjection), // E cli-sql (crossing-elevation)
  accepted('TM-8aa544d6a4', J.cliFlood, AUDIT_AVAILABLE), // D cli-sql (crossing-flood)
  m('TM-6927d86eaa', SECRET_FILES, J.dbAccess), // S cli-sql (crossing-spoofed-sender)
  accepted('TM-57bcc0d6eb', J.sqlLocalI, AT_REST), // I cli-sql (crossing-unprotected-transit)
  accepted('TM-726a78e7ff', J.sqlLocalT, both(AT_REST, AUDIT_INTEGRITY)), // T cli-sql (crossing-unprotected-transit)
  accepted('TM-50d0933af5', J.cliSqlDown), // D cli-sql
  accepted('TM-400de95bd0', J.sqlLocalI, AT_REST), // I cli-sql
  accepted('TM-89e5da9bd1', J.sqlLocalT, both(AT_REST, AUDIT_INTEGRITY)), // T cli-sql
  m('TM-83e364c465', ELEVATION, J.elevation), // E client-api (crossing-elevation)
  m('TM-fa1e56055c', FLOOD, J.flood), // D client-api (crossing-flood)
  m('TM-3b9e263c5a', ACCOUNTABILITY, J.accountability), // R client-api (crossing-repudiation)
  m('TM-38f1bb6a5d', TOKEN_AUTH, J.token), // S client-api (crossing-spoofed-sender)
  m('TM-a514f38ba2', FLOOD, J.flood), // D client-api
  m('TM-5d584031f4', both(TLS, NO_LEAKS), J.tlsNoLeaks), // I client-api
  m('TM-5cd46f64e4', TLS, J.tls), // T client-api
  accepted('TM-4bf60501df', J.proxy), // E client-proxy (crossing-elevation)
  accepted('TM-7d2189c0bb', J.proxyFlood, both(FLOOD, FORWARDED_FOR)), // D client-proxy (crossing-flood)
  m('TM-c86daac43e', both(ACCOUNTABILITY, FORWARDED_FOR), J.proxyAccountability), // R client-proxy (crossing-repudiation)
  accepted('TM-1969529492', J.proxyForwardsAnyone, both(SESSION_AUTH, TOKEN_AUTH)), // S client-proxy (crossing-spoofed-sender)
  accepted('TM-709893dadb', J.proxyFlood, both(FLOOD, FORWARDED_FOR)), // D client-proxy
  accepted('TM-572d00021a', J.proxyTls), // I client-proxy
  accepted('TM-af6ea64cba', J.proxyTls), // T client-proxy
  m('TM-799fd07515', ELEVATION_PUBLIC, J.elevationPublic), // E client-public (crossing-elevation)
  m('TM-c500a53578', FLOOD, J.flood), // D client-public (crossing-flood)
  m('TM-ea52403af8', ACCOUNTABILITY, J.accountability), // R client-public (crossing-repudiation)
  m('TM-3ed8f9e2df', LOGIN, J.login), // S client-public (crossing-spoofed-sender)
  m('TM-8d2311f28b', FLOOD, J.flood), // D client-public
  m('TM-a16548d0c9', both(TLS, NO_LEAKS), J.tlsNoLeaks), // I client-public
  m('TM-4a323380c6', TLS, J.tls), // T client-public
  m('TM-566aaf4664', AUDIT_AVAILABLE, J.dbDown), // D database
  m('TM-99d7274649', SQL_INJECTION, J.sqlInjection), // E database
  m('TM-fb3f5f8dd9', AT_REST, J.atRest), // I database
  notApplicable('TM-bd25c7eef9', J.dbActsForGatehouse), // R database
  m('TM-6e6347fb2d', SECRET_FILES, J.dbAccess), // S database
  accepted('TM-6c4c283d5d', J.installedCode), // T database
  accepted('TM-81b15dbb42', J.backups, AUDIT_AVAILABLE), // D db-files
  m('TM-83a8b3f0ed', both(AT_REST, SECRET_FILES), J.filesRead), // I db-files
  m('TM-ea07981c88', both(AT_REST, AUDIT_INTEGRITY, SECRET_FILES), J.filesTampered), // T db-files
  m('TM-4e569a8ffd', AUDIT_AVAILABLE, J.auditAvailable), // D db-write-audit
  m('TM-f2328e8986', AUDIT_PRIVACY, J.auditPrivacy), // I db-write-audit
  m('TM-b3b266ebc6', AUDIT_INTEGRITY, J.auditIntegrity), // T db-write-audit
  accepted('TM-f64cda60e6', J.backups, AUDIT_AVAILABLE), // D db-write-files
  m('TM-59bb81a924', both(AT_REST, SECRET_FILES), J.filesRead), // I db-write-files
  m('TM-10fdc7f350', both(AT_REST, AUDIT_INTEGRITY, SECRET_FILES), J.filesTampered), // T db-write-files
  m('TM-24fcc445a9', FLOOD, J.flood), // D gatehouse
  m('TM-1dd9134786', ELEVATION, J.elevation), // E gatehouse
  m('TM-4c3b3419e7', both(NO_LEAKS, AT_REST), J.serverLeaks), // I gatehouse
  m('TM-b0b74758a5', ACCOUNTABILITY, J.accountability), // R gatehouse
  m('TM-fa8bf01898', CERTIFICATE, J.serverIdentity), // S gatehouse
  accepted('TM-9af781f325', J.installedCode), // T gatehouse
  m('TM-f07f34d569', both(REDIS_INJECTION, REDIS_LEAST_PRIVILEGE), J.redisInjection), // E gatehouse-redis (crossing-elevation)
  m('TM-d1a24dfe9a', both(REDIS_SHARED_STATE, FLOOD), J.redisFlood), // D gatehouse-redis (crossing-flood)
  accepted('TM-9c167b7c7a', J.redisClientAuth, REDIS_LEAST_PRIVILEGE), // S gatehouse-redis (crossing-spoofed-sender)
  accepted('TM-ce4239b5d2', J.redisTransit), // I gatehouse-redis (crossing-unprotected-transit)
  accepted('TM-b1d84d3985', J.redisTransit), // T gatehouse-redis (crossing-unprotected-transit)
  m('TM-e7b8504afc', REDIS_FAIL_CLOSED, J.redisDown), // D gatehouse-redis
  accepted('TM-f53625188d', J.redisTransit), // I gatehouse-redis
  accepted('TM-656225e8e9', J.redisTransit), // T gatehouse-redis
  m('TM-65b8464567', SQL_INJECTION, J.sqlInjection), // E gatehouse-sql (crossing-elevation)
  m('TM-7a940f31f4', both(FLOOD, AUDIT_AVAILABLE), J.dbFlood), // D gatehouse-sql (crossing-flood)
  m('TM-ffd567eb87', SECRET_FILES, J.dbAccess), // S gatehouse-sql (crossing-spoofed-sender)
  accepted('TM-d46a25bfa9', J.sqlLocalI, AT_REST), // I gatehouse-sql (crossing-unprotected-transit)
  accepted('TM-589f142a07', J.sqlLocalT, both(AT_REST, AUDIT_INTEGRITY)), // T gatehouse-sql (crossing-unprotected-transit)
  m('TM-059807987d', both(FLOOD, AUDIT_AVAILABLE), J.dbFlood), // D gatehouse-sql
  accepted('TM-580b1d580a', J.sqlLocalI, AT_REST), // I gatehouse-sql
  accepted('TM-236389c716', J.sqlLocalT, both(AT_REST, AUDIT_INTEGRITY)), // T gatehouse-sql
  accepted('TM-69a49f3aa2', J.keyringBackup), // D keyring
  m('TM-22344c43f6', KEYRING, J.keyringFile), // I keyring
  m('TM-f55afce8dc', KEYRING, J.keyringFile), // T keyring
  accepted('TM-d125985ae8', J.keyringBackup), // D keyring-cli
  m('TM-04c8a5fec8', KEYRING, J.keyringFile), // I keyring-cli
  m('TM-885fb6eee3', KEYRING, J.keyringFile), // T keyring-cli
  accepted('TM-f003ca4d24', J.keyringBackup), // D keyring-load
  m('TM-99fa207fd7', KEYRING, J.keyringFile), // I keyring-load
  m('TM-742487ff5a', KEYRING, J.keyringFile), // T keyring-load
  accepted('TM-fe244f8ba5', J.operatorRepudiation, AUDIT_INTEGRITY), // R operator
  accepted('TM-ef5bc96122', J.operatorLogin), // S operator
  accepted('TM-f299d21337', J.cliInput, CLI_INPUT), // E operator-cli (crossing-elevation)
  accepted('TM-fad4a4de3e', J.cliNoListener), // D operator-cli (crossing-flood)
  accepted('TM-b7b8659e18', J.operatorRepudiation, AUDIT_INTEGRITY), // R operator-cli (crossing-repudiation)
  accepted('TM-2a236bdb87', J.operatorLogin), // S operator-cli (crossing-spoofed-sender)
  accepted('TM-3423762613', J.sshDown), // D operator-cli
  accepted('TM-c5ebbb7b30', J.ssh), // I operator-cli
  accepted('TM-5edaeec6ae', J.ssh), // T operator-cli
  accepted('TM-026a6acad5', J.proxy), // D proxy
  accepted('TM-84d492f0b0', J.proxy), // E proxy
  accepted('TM-40a8d17360', J.proxy), // I proxy
  accepted('TM-4a67865d8d', J.proxy), // R proxy
  accepted('TM-af3559499c', J.proxy), // S proxy
  accepted('TM-5db3e27784', J.proxy), // T proxy
  m('TM-51c1001191', ELEVATION, J.elevation), // E proxy-gatehouse (crossing-elevation)
  m('TM-9fb4405b44', both(FLOOD, FORWARDED_FOR), J.floodBehindProxy), // D proxy-gatehouse (crossing-flood)
  m('TM-d0e27a643b', FORWARDED_FOR, J.forwardedFor), // S proxy-gatehouse (crossing-spoofed-sender)
  m('TM-482bc3ec3f', both(FLOOD, FORWARDED_FOR), J.floodBehindProxy), // D proxy-gatehouse
  m('TM-be48f5134c', TLS, J.proxyReencrypts), // I proxy-gatehouse
  m('TM-89e14a2f8d', TLS, J.proxyReencrypts), // T proxy-gatehouse
  m('TM-f84bed9160', both(REDIS_FAIL_CLOSED, REDIS_SHARED_STATE), J.redisDown), // D redis
  m('TM-6d9d5b1ca4', both(REDIS_LEAST_PRIVILEGE, REDIS_INJECTION), J.redisPrivilege), // E redis
  accepted('TM-70769884cc', J.redisDisclosure, REDIS_LEAST_PRIVILEGE), // I redis
  m('TM-ffccd640ac', REDIS_ACCOUNTABILITY, J.redisAccountability), // R redis
  accepted('TM-91404844de', J.redisImpostor), // S redis
  accepted('TM-c26ca7fe99', J.redisTampering, REDIS_LEAST_PRIVILEGE), // T redis
  m('TM-f373817db0', CERTIFICATE, J.tlsReload), // D tls-files
  m('TM-256d41b4c0', both(SECRET_FILES, CERTIFICATE), J.tlsFiles), // I tls-files
  m('TM-590810cc2c', both(SECRET_FILES, CERTIFICATE), J.tlsFiles), // T tls-files
  m('TM-94ec37e4e2', CERTIFICATE, J.tlsReload), // D tls-load
  m('TM-25b56a2fbe', both(SECRET_FILES, CERTIFICATE), J.tlsFiles), // I tls-load
  m('TM-101bebb6b1', both(SECRET_FILES, CERTIFICATE), J.tlsFiles), // T tls-load
];
