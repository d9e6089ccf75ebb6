// Credentials never reach the application log: the server's pino configuration redacts the
// Authorization and Cookie headers, Set-Cookie, CSRF tokens and any password/token/otp field,
// and request logging is off (the audit log is the per-request record).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { LOG_REDACT_PATHS } from '../../src/server/buildApp.ts';
import { buildApp } from '../../src/server/buildApp.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import { openTestDatabase } from '../helpers/testDatabase.ts';
import { basicAuth, passwordFor } from '../helpers/api.ts';
import { testConfig } from '../helpers/testServer.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return { lines, stream };
}

describe('log redaction', () => {
  it('redacts credentials wherever they appear in a log line', () => {
    const { lines, stream } = capture();
    const log = pino({ redact: LOG_REDACT_PATHS }, stream);
    log.error({
      req: { headers: { authorization: 'Bearer ght_abc.SECRET1', cookie: '__Host-gh_session=id.SECRET2', 'x-csrf-token': 'SECRET3' } },
      res: { headers: { 'set-cookie': '__Host-gh_session=id.SECRET4' } },
      body: { password: 'SECRET5', token: 'SECRET6', otp: 'SECRET7' },
    }, 'something failed');
    const text = lines.join('');
    assert.match(text, /something failed/);
    for (let i = 1; i <= 7; i++) assert.doesNotMatch(text, new RegExp(`SECRET${i}`));
    assert.match(text, /\[Redacted\]/);
  });

  it('writes no per-request log lines and no credential while serving requests', async () => {
    const { lines, stream } = capture();
    const config = testConfig({ logLevel: 'trace' });
    const database = await openTestDatabase();
    const app = await buildApp({ config, database, keyring: Keyring.ephemeral(), logger: { level: 'trace', stream, redact: LOG_REDACT_PATHS } });
    const password = passwordFor('logtest');
    await app.fastify.inject({ method: 'POST', url: '/v1/users', payload: { username: 'logtest', password } });
    const tok = await app.fastify.inject({ method: 'POST', url: '/v1/tokens', headers: { authorization: basicAuth('logtest', password) }, payload: { name: 'x' } });
    const token = tok.json().token as string;
    await app.fastify.inject({ method: 'GET', url: '/v1/spaces', headers: { authorization: `Bearer ${token}` } });
    await app.fastify.inject({ method: 'GET', url: '/v1/spaces', headers: { authorization: 'Bearer ght_bad.guess' } });
    await app.fastify.close();
    await database.close();
    const text = lines.join('');
    assert.doesNotMatch(text, /incoming request|request completed/);
    assert.ok(!text.includes(password));
    assert.ok(!text.includes(token.split('.')[1]!));
  });
});
