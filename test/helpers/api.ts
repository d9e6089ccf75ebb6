import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import https from 'node:https';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Config } from '../../src/config/schema.ts';
import { httpsRequest, type TestServer } from './testServer.ts';

/**
 * Where `call` sends a request: the app in process (inject()), or a test server listening on
 * its real HTTPS port (startTestServer({ listen: true })), optionally over a keep-alive agent.
 */
export type Target = FastifyInstance | HttpsTarget;
export type HttpsTarget = Pick<TestServer, 'url' | 'ca'> & { readonly agent?: https.Agent };

/**
 * Configuration under which the test client on 127.0.0.1 acts as a trusted proxy, so that
 * `call(…, { from })` over real HTTPS can speak for any client address (X-Forwarded-For).
 */
export const LOOPBACK_PROXY: Partial<Config> = { trustProxy: ['127.0.0.1'] };

/**
 * A keep-alive client of a listening test server: requests reuse open TLS connections, so that
 * many can reach the server at once (floods) and timings are not dominated by handshakes.
 */
export function keepAliveClient(server: Pick<TestServer, 'url' | 'ca'>, maxSockets = 256): HttpsTarget & { close(): void } {
  const agent = new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  return { url: server.url, ca: server.ca, agent, close: () => agent.destroy() };
}

function isInProcess(target: Target): target is FastifyInstance {
  return typeof (target as FastifyInstance).inject === 'function';
}

/** A strong password that passes the policy, distinct per user. */
export function passwordFor(username: string): string {
  // Derived from the name but never containing it (the policy refuses that).
  return `Pw-${createHash('sha256').update(username).digest('hex').slice(0, 10)}-tulip-orbit-canyon`;
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/**
 * One request with JSON in and out: inject() on an app, or over real HTTPS to a listening test
 * server. `from` is the client's address: inject()'s remoteAddress, or over HTTPS an
 * X-Forwarded-For header that the server believes only when started with LOOPBACK_PROXY.
 */
export async function call(target: Target, method: InjectOptions['method'], url: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; from?: string } = {}) {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (!isInProcess(target)) {
    if (!target.url) throw new Error('call(): the test server is not listening (startTestServer({ listen: true }))');
    if (options.from) headers['x-forwarded-for'] = options.from;
    const res = await httpsRequest(target, String(method), url, { headers, ...(options.body !== undefined ? { body: options.body } : {}), ...(target.agent ? { agent: target.agent } : {}) });
    return { status: res.status, headers: res.headers, json: res.json, body: res.text };
  }
  const res = await target.inject({ method, url, headers, ...(options.from ? { remoteAddress: options.from } : {}), ...(options.body !== undefined ? { payload: options.body as object } : {}) });
  let json: any;
  try {
    json = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, json, body: res.body };
}

/** Registers a user and returns a bearer token for them (scopes read+write unless given). */
export async function userWithToken(app: Target, username: string, scopes?: string[]): Promise<{ username: string; token: string; id: string }> {
  const reg = await call(app, 'POST', '/v1/users', { body: { username, password: passwordFor(username) } });
  if (reg.status !== 201) throw new Error(`register ${username}: ${reg.status} ${reg.body}`);
  const tok = await call(app, 'POST', '/v1/tokens', {
    headers: { authorization: basicAuth(username, passwordFor(username)) },
    body: { name: 'test', ...(scopes ? { scopes } : {}) },
  });
  if (tok.status !== 201) throw new Error(`token for ${username}: ${tok.status} ${tok.body}`);
  return { username, token: tok.json.token, id: reg.json.id };
}

/** Creates an administrator directly (as `gatehouse user add --admin` does) and a token with the admin scope. */
export async function adminWithToken(app: Target, accounts: { register(u: string, p: string, o: { isAdmin: boolean }): Promise<unknown> }, username = 'admin'): Promise<{ username: string; token: string }> {
  await accounts.register(username, passwordFor(username), { isAdmin: true });
  const tok = await call(app, 'POST', '/v1/tokens', {
    headers: { authorization: basicAuth(username, passwordFor(username)) },
    body: { name: 'admin', scopes: ['read', 'write', 'admin'] },
  });
  if (tok.status !== 201) throw new Error(`admin token: ${tok.status} ${tok.body}`);
  return { username, token: tok.json.token };
}

/** The rel="next" target of a Link header, or undefined. */
export function nextLink(headers: Record<string, unknown>): string | undefined {
  const link = headers.link;
  if (link === undefined) return undefined;
  const match = /^<([^>]+)>; rel="next"$/.exec(String(link));
  assert.ok(match, `a Link header with one rel="next" target: ${String(link)}`);
  return match[1];
}
