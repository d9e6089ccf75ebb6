import type { ThreatModel } from '../src/threatmodel/model.ts';

/**
 * Gatehouse as deployed (MISSION.md §5, §6): clients on their own machines, an optional
 * TLS-terminating proxy, and one host where Gatehouse, the database and Redis each run under
 * their own OS account. The database process and its data files are separate elements, as
 * the chapter separates them. With the embedded SQLite default the database "process" is a
 * library inside Gatehouse and its files sit in Gatehouse's data dir: the same threats apply,
 * with the OS-account separation gone (see the register's justifications).
 */
/** The browser UI's page and bundle are public too: they hold no data, only code. */
const PUBLIC_ROUTES = ['POST /v1/users', 'GET /openapi.json', 'GET /docs', 'GET /', 'GET /assets/:file'] as const;
const LOGIN_ROUTES = ['POST /v1/sessions', '/v1/sessions/webauthn/*'] as const;
/** Everything that needs a logged-in caller (or a capability); checked against App.routes. */
const AUTHENTICATED_ROUTES = [
  '/v1/users/me/*', 'GET /v1/sessions', 'DELETE /v1/sessions', '/v1/sessions/current', 'GET /v1/sessions/current/csrf', '/v1/tokens/*',
  '/v1/spaces/*', '/v1/contacts/*', '/v1/direct/*', '/v1/audit/*', '/v1/admin/*',
] as const;

export const gatehouseModel: ThreatModel = {
  name: 'gatehouse',
  title: 'Gatehouse deployment',
  boundaries: [
    { id: 'browser-sandbox', name: "User's browser" },
    { id: 'client-machine', name: "API client's machine" },
    { id: 'edge', name: 'Edge (proxy host)' },
    { id: 'host', name: 'Server host' },
    { id: 'os-gatehouse', name: 'OS account gatehouse', parent: 'host' },
    { id: 'os-database', name: 'OS account database', parent: 'host' },
    { id: 'os-redis', name: 'OS account redis', parent: 'host' },
  ],
  elements: [
    { id: 'browser', kind: 'external', name: 'Browser (web UI)', boundary: 'browser-sandbox', browser: true },
    { id: 'api-client', kind: 'external', name: 'API client', boundary: 'client-machine' },
    { id: 'operator', kind: 'external', name: 'Operator (shell)' },
    { id: 'proxy', kind: 'process', name: 'TLS-terminating proxy', boundary: 'edge', optional: true },
    { id: 'gatehouse', kind: 'process', name: 'Gatehouse server', boundary: 'os-gatehouse' },
    { id: 'cli', kind: 'process', name: 'gatehouse CLI', boundary: 'os-gatehouse' },
    { id: 'keyring', kind: 'store', name: 'Keyring file', boundary: 'os-gatehouse' },
    { id: 'tls-files', kind: 'store', name: 'TLS certificate and key', boundary: 'os-gatehouse' },
    { id: 'database', kind: 'process', name: 'Database process', boundary: 'os-database' },
    { id: 'db-files', kind: 'store', name: 'Database files', boundary: 'os-database' },
    { id: 'audit-log', kind: 'store', name: 'Audit log', boundary: 'os-database', holdsLogs: true },
    { id: 'redis', kind: 'process', name: 'Redis', boundary: 'os-redis', optional: true },
  ],
  flows: [
    { id: 'browser-public', name: 'Sign-up, login, API docs', from: 'browser', to: 'gatehouse', protocol: 'HTTPS', encrypted: true, authenticated: false, data: ['password', 'session-cookie'], routes: [...PUBLIC_ROUTES, ...LOGIN_ROUTES] },
    { id: 'browser-session', name: 'Browser session requests', from: 'browser', to: 'gatehouse', protocol: 'HTTPS', encrypted: true, authenticated: true, data: ['session-cookie', 'messages', 'personal-data'], routes: [...AUTHENTICATED_ROUTES] },
    { id: 'client-public', name: 'Registration, health, API description', from: 'api-client', to: 'gatehouse', protocol: 'HTTPS', encrypted: true, authenticated: false, data: ['password'], routes: ['POST /v1/users', 'GET /healthz', 'GET /readyz', 'GET /openapi.json'] },
    { id: 'client-api', name: 'API calls (bearer token, capability)', from: 'api-client', to: 'gatehouse', protocol: 'HTTPS', encrypted: true, authenticated: true, data: ['api-token', 'capability', 'messages', 'personal-data'], routes: [...AUTHENTICATED_ROUTES, 'GET /metrics'] },
    { id: 'browser-proxy', name: 'Browser requests via proxy', from: 'browser', to: 'proxy', protocol: 'HTTPS', encrypted: true, authenticated: false, data: ['password', 'session-cookie', 'messages'] },
    { id: 'client-proxy', name: 'API requests via proxy', from: 'api-client', to: 'proxy', protocol: 'HTTPS', encrypted: true, authenticated: false, data: ['api-token', 'capability', 'messages'] },
    { id: 'proxy-gatehouse', name: 'Forwarded requests (X-Forwarded-For)', from: 'proxy', to: 'gatehouse', protocol: 'HTTPS', encrypted: true, authenticated: false, data: ['password', 'session-cookie', 'api-token', 'messages'] },
    { id: 'gatehouse-sql', name: 'Application and audit SQL', from: 'gatehouse', to: 'database', protocol: 'SQL (in-process SQLite, or PostgreSQL on a local socket)', encrypted: false, authenticated: true, data: ['messages', 'personal-data', 'credential-hashes', 'audit-records'] },
    { id: 'db-write-files', name: 'Table pages', from: 'database', to: 'db-files', protocol: 'file I/O', encrypted: false, authenticated: false, data: ['messages', 'personal-data', 'credential-hashes'] },
    { id: 'db-write-audit', name: 'Audit records', from: 'database', to: 'audit-log', protocol: 'file I/O', encrypted: false, authenticated: false, data: ['audit-records'] },
    { id: 'keyring-load', name: 'Server keys', from: 'keyring', to: 'gatehouse', protocol: 'file read', encrypted: false, authenticated: false, data: ['server-keys'] },
    { id: 'tls-load', name: 'Certificate and private key', from: 'tls-files', to: 'gatehouse', protocol: 'file read', encrypted: false, authenticated: false, data: ['tls-key'] },
    { id: 'gatehouse-redis', name: 'Shared limit, failed-login and used-code state', from: 'gatehouse', to: 'redis', protocol: 'RESP', encrypted: false, authenticated: true, data: ['shared-state'] },
    { id: 'operator-cli', name: 'Admin commands (user, audit, keys)', from: 'operator', to: 'cli', protocol: 'terminal (SSH)', encrypted: true, authenticated: true, data: ['password', 'audit-records'] },
    { id: 'cli-sql', name: 'CLI SQL (users, audit verify/prune, re-encryption)', from: 'cli', to: 'database', protocol: 'SQL (SQLite file, or PostgreSQL on a local socket)', encrypted: false, authenticated: true, data: ['audit-records', 'credential-hashes', 'messages'] },
    { id: 'keyring-cli', name: 'Server keys (CLI)', from: 'keyring', to: 'cli', protocol: 'file read', encrypted: false, authenticated: false, data: ['server-keys'] },
  ],
  assets: [
    { id: 'password', name: 'Passwords', goals: ['confidentiality'] },
    { id: 'session-cookie', name: 'Session cookies and CSRF tokens', goals: ['confidentiality', 'integrity'] },
    { id: 'api-token', name: 'API tokens', goals: ['confidentiality', 'integrity'] },
    { id: 'capability', name: 'Capability tokens', goals: ['confidentiality', 'integrity'] },
    { id: 'messages', name: 'Messages', goals: ['confidentiality', 'integrity', 'availability'] },
    { id: 'personal-data', name: 'Accounts and contacts', goals: ['confidentiality', 'integrity'] },
    { id: 'credential-hashes', name: 'Password, token and session hashes; TOTP secrets', goals: ['confidentiality', 'integrity'] },
    { id: 'audit-records', name: 'Audit records', goals: ['integrity', 'accountability', 'confidentiality'] },
    { id: 'server-keys', name: 'Server keys (keyring)', goals: ['confidentiality', 'integrity', 'availability'] },
    { id: 'tls-key', name: 'TLS private key', goals: ['confidentiality', 'integrity'] },
    { id: 'shared-state', name: 'Rate-limit and failed-login counters, used TOTP steps', goals: ['integrity', 'availability'] },
  ],
};
