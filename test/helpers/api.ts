import { createHash } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';

/** A strong password that passes the policy, distinct per user. */
export function passwordFor(username: string): string {
  // Derived from the name but never containing it (the policy refuses that).
  return `Pw-${createHash('sha256').update(username).digest('hex').slice(0, 10)}-tulip-orbit-canyon`;
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** inject() with JSON in and out. */
export async function call(app: FastifyInstance, method: InjectOptions['method'], url: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await app.inject({ method, url, headers, ...(options.body !== undefined ? { payload: options.body as object } : {}) });
  let json: any;
  try {
    json = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, json, body: res.body };
}

/** Registers a user and returns a bearer token for them (scopes read+write unless given). */
export async function userWithToken(app: FastifyInstance, username: string, scopes?: string[]): Promise<{ username: string; token: string; id: string }> {
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
export async function adminWithToken(app: FastifyInstance, accounts: { register(u: string, p: string, o: { isAdmin: boolean }): Promise<unknown> }, username = 'admin'): Promise<{ username: string; token: string }> {
  await accounts.register(username, passwordFor(username), { isAdmin: true });
  const tok = await call(app, 'POST', '/v1/tokens', {
    headers: { authorization: basicAuth(username, passwordFor(username)) },
    body: { name: 'admin', scopes: ['read', 'write', 'admin'] },
  });
  if (tok.status !== 201) throw new Error(`admin token: ${tok.status} ${tok.body}`);
  return { username, token: tok.json.token };
}
