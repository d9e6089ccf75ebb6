// Starting the real server from configuration (API.md "Operations", "Configuration"): it
// serves /healthz over HTTPS with a generated certificate; the data directory is created 0700
// and every file in it (keyring, database, dev certificate and key) is 0600; stop() closes
// gracefully and flushes the audit log, so the records of the very last requests are in the
// database file afterwards (checked by reopening it); a restart reuses keys, certificate and data.
// SQLite only (also under npm run test:postgres): it checks the data-dir database file's mode.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { prepareDataDir, startServer, type RunningServer } from '../../src/server/start.ts';
import { passwordFor } from '../helpers/api.ts';
import { httpsRequest } from '../helpers/testServer.ts';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('startServer', () => {
  let tmp: string;
  let dataDir: string;
  let server: RunningServer;
  let endpoint: { url: string; ca: string };
  const requestIds: string[] = [];

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-start-'));
    dataDir = path.join(tmp, 'data');
    server = await startServer(loadConfig({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_PORT: '0', GATEHOUSE_LOG_LEVEL: 'silent', GATEHOUSE_SHED_EVENT_LOOP_DELAY_MS: '60000' }));
    const port = new URL(server.url).port;
    assert.ok(Number(port) > 0, 'listening on an ephemeral port');
    // Trust only the certificate the server generated; connect to the address it listens on.
    endpoint = { url: `https://127.0.0.1:${port}`, ca: fs.readFileSync(path.join(dataDir, 'dev-cert.pem'), 'utf8') };
  });
  after(async () => {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('announces an https URL for localhost', () => {
    assert.match(server.url, /^https:\/\/localhost:\d+$/);
  });

  it('serves /healthz over HTTPS with its own certificate', async () => {
    const res = await httpsRequest(endpoint, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.equal(typeof res.headers['x-request-id'], 'string');
    assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/);
    requestIds.push(String(res.headers['x-request-id']));
  });

  it('creates the data dir 0700 with the keyring, database and dev certificate, all 0600', () => {
    assert.equal(mode(dataDir), 0o700);
    const files = fs.readdirSync(dataDir);
    for (const name of ['keyring', 'gatehouse.sqlite', 'dev-cert.pem', 'dev-key.pem']) assert.ok(files.includes(name), `${name} exists`);
    for (const name of files) assert.equal(mode(path.join(dataDir, name)), 0o600, `${name} is owner-only`);
  });

  it('flushes the audit log on stop(): the last requests are in the database file afterwards', async () => {
    const reg = await httpsRequest(endpoint, 'POST', '/v1/users', { body: { username: 'stella', password: passwordFor('stella') } });
    assert.equal(reg.status, 201);
    requestIds.push(String(reg.headers['x-request-id']));
    const last = await httpsRequest(endpoint, 'GET', '/v1/no-such-thing', { headers: { 'user-agent': 'last-request-before-stop' } });
    assert.equal(last.status, 404);
    requestIds.push(String(last.headers['x-request-id']));

    await server.stop();
    await server.stop(); // idempotent
    await assert.rejects(httpsRequest(endpoint, 'GET', '/healthz'), /ECONNREFUSED|ECONNRESET|socket hang up/);

    const db = new Sqlite(path.join(dataDir, 'gatehouse.sqlite'));
    try {
      for (const id of requestIds) {
        const phases = db.prepare('select phase, status from audit_log where request_id = ? order by seq').all(id) as { phase: string; status: number | null }[];
        assert.deepEqual(phases.map((p) => p.phase), ['attempt', 'outcome'], `both records of request ${id}`);
      }
      const lastRow = db.prepare("select user_agent, status, outcome from audit_log where request_id = ? and phase = 'outcome'").get(requestIds.at(-1)) as
        { user_agent: string; status: number; outcome: string };
      assert.deepEqual(lastRow, { user_agent: 'last-request-before-stop', status: 404, outcome: 'error' });
      const user = db.prepare('select username, password_hash from users').all() as { username: string; password_hash: string }[];
      assert.deepEqual(user.map((u) => u.username), ['stella']);
      assert.match(user[0]!.password_hash, /^\$argon2id\$/);
    } finally {
      db.close();
    }
  });

  it('starts again on the same data dir, reusing keyring, certificate and data', async () => {
    const keyring = fs.readFileSync(path.join(dataDir, 'keyring'), 'utf8');
    const cert = endpoint.ca;
    server = await startServer(loadConfig({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_PORT: '0', GATEHOUSE_LOG_LEVEL: 'silent', GATEHOUSE_SHED_EVENT_LOOP_DELAY_MS: '60000' }));
    const again = { url: `https://127.0.0.1:${new URL(server.url).port}`, ca: cert };
    assert.equal((await httpsRequest(again, 'GET', '/healthz')).status, 200, 'the same certificate still verifies');
    assert.equal(fs.readFileSync(path.join(dataDir, 'keyring'), 'utf8'), keyring);
    const dup = await httpsRequest(again, 'POST', '/v1/users', { body: { username: 'stella', password: passwordFor('stella') } });
    assert.equal(dup.status, 409, 'the user registered before the restart is still there');
    assert.equal(dup.json.code, 'conflict');
  });
});

describe('prepareDataDir', () => {
  it('tightens an existing data dir that others can read to 0700', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-prep-'));
    try {
      fs.chmodSync(dir, 0o755);
      prepareDataDir(dir);
      assert.equal(mode(dir), 0o700);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
