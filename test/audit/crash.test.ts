// A crash under write load loses nothing acknowledged (issue 5, "Nothing lost"): the real
// server (`node bin/gatehouse.js serve`) takes concurrent writes over HTTPS and is killed with
// SIGKILL mid-load, with no chance to flush. After a restart the chain verifies (a batch is
// one transaction: it is all there or not at all) and every message the client was told was
// created (201) has its attempt and outcome records, because a state change's records are
// committed before its response is sent.
// SQLite only (also under npm run test:postgres): it restarts a server on its own data-dir database file; the multi-instance crash on PostgreSQL is test/scale/.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import { basicAuth, passwordFor } from '../helpers/api.ts';
import { gatehouse, tempDir } from './auditFixtures.ts';

const BIN = new URL('../../bin/gatehouse.js', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function serve(env: Record<string, string>): ChildProcess {
  // Only our settings: a stray GATEHOUSE_* variable (e.g. GATEHOUSE_TEST_FILTER) is a config error.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_')));
  return spawn(process.execPath, [BIN, 'serve'], { env: { ...inherited, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A JSON client for the child server, over one keep-alive TLS agent trusting the data dir's certificate. */
function client(port: number, dir: string) {
  let agent: https.Agent | undefined;
  return (method: string, url: string, options: { headers?: Record<string, string>; body?: unknown } = {}) =>
    new Promise<{ status: number; requestId: string; json: any }>((resolve, reject) => {
      agent ??= new https.Agent({ keepAlive: true, maxSockets: 32, ca: fs.readFileSync(path.join(dir, 'dev-cert.pem')) });
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
      const headers = { ...(options.headers ?? {}), ...(payload ? { 'content-type': 'application/json' } : {}) };
      const req = https.request({ host: '127.0.0.1', port, method, path: url, headers, agent }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, requestId: String(res.headers['x-request-id']), json: text ? JSON.parse(text) : undefined }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
}

async function waitUntilServing(request: ReturnType<typeof client>, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await request('GET', '/healthz')).status === 200) return;
    } catch {
      if (Date.now() > deadline) throw new Error('server did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('crash under write load', () => {
  it('after SIGKILL and a restart, the chain verifies and every acknowledged message has its records', async () => {
    const dir = tempDir('crash');
    const port = await freePort();
    const env = {
      GATEHOUSE_DATA_DIR: dir, GATEHOUSE_PORT: String(port), GATEHOUSE_HOST: '127.0.0.1', GATEHOUSE_LOG_LEVEL: 'silent',
      GATEHOUSE_RATE_ADDRESS_PER_SECOND: '100000', GATEHOUSE_RATE_USER_PER_SECOND: '100000', GATEHOUSE_RATE_GLOBAL_PER_SECOND: '100000',
      GATEHOUSE_SHED_EVENT_LOOP_DELAY_MS: '60000',
    };
    let child = serve(env);
    const request = client(port, dir);
    const acknowledged: { requestId: string; messageId: string }[] = [];
    let killed = false;
    try {
      await waitUntilServing(request, child);
      assert.equal((await request('POST', '/v1/users', { body: { username: 'writer', password: passwordFor('writer') } })).status, 201);
      const token = (await request('POST', '/v1/tokens', { headers: { authorization: basicAuth('writer', passwordFor('writer')) }, body: { name: 'load' } })).json.token;
      const auth = { authorization: `Bearer ${token}` };
      const spaceId = (await request('POST', '/v1/spaces', { headers: auth, body: { name: 'load' } })).json.id;

      let lost = 0;
      const writer = async () => {
        for (let i = 0; !killed; i++) {
          try {
            const res = await request('POST', `/v1/spaces/${spaceId}/messages`, { headers: auth, body: { text: `m${i}` } });
            if (res.status === 201) acknowledged.push({ requestId: res.requestId, messageId: res.json.id });
          } catch {
            lost++; // in flight when the server died: never acknowledged
          }
        }
      };
      const load = Array.from({ length: 24 }, writer);
      const deadline = Date.now() + 20_000;
      while (acknowledged.length < 300) {
        if (Date.now() > deadline) throw new Error(`only ${acknowledged.length} writes acknowledged in 20 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      child.kill('SIGKILL');
      await exited(child);
      killed = true;
      await Promise.all(load);
      assert.ok(lost > 0, 'the kill interrupted requests in flight');

      child = serve(env); // restart on the same data: the chain continues after the crash
      await waitUntilServing(request, child);
      assert.equal((await request('POST', `/v1/spaces/${spaceId}/messages`, { headers: auth, body: { text: 'after the crash' } })).status, 201);
      child.kill('SIGTERM');
      await exited(child);
    } finally {
      killed = true; // stops the writers whatever happened
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    assert.ok(acknowledged.length >= 300);

    const verified = await gatehouse(['audit', 'verify', '--json'], { GATEHOUSE_DATA_DIR: dir });
    assert.equal(verified.code, 0, verified.out + verified.err);
    const db = new Sqlite(path.join(dir, 'gatehouse.sqlite'), { readonly: true });
    try {
      const phases = db.prepare('select phase, status from audit_log where request_id = ? order by seq');
      const message = db.prepare('select 1 from messages where id = ?');
      for (const { requestId, messageId } of acknowledged) {
        assert.deepEqual(phases.all(requestId).map((r: any) => [r.phase, r.status]), [['attempt', null], ['outcome', 201]], `request ${requestId}`);
        assert.ok(message.get(messageId), `message ${messageId} was acknowledged but is gone`);
      }
    } finally {
      db.close();
    }
  });
});
