// Key rotation over the real HTTPS server (issue 7: "rotate makes a new key current while old
// keys still verify/decrypt"). Stateless tokens carry the id of the key that made them, so
// `gatehouse keys rotate csrf device-cookie` breaks no live browser session's CSRF token and no
// trusted-device cookie; tokens forged under a key that is not a csrf key in the keyring are
// refused. TOTP secrets enrolled before a `totp` rotation still work after `keys reencrypt`,
// and then even with the old key gone from the keyring.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { totpCodeAt } from '../../src/accounts/mfa/totp.ts';
import { main, type CommandIo } from '../../src/cli/main.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import { basicAuth, passwordFor } from '../helpers/api.ts';
import { fakeClock, httpsRequest, RELAXED_LOGIN_THROTTLE, startTestServer, type HttpResult, type TestServer } from '../helpers/testServer.ts';

const cookieValue = (res: HttpResult, name: string): string => {
  const line = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`));
  assert.ok(line, `${name} is set`);
  return line.split(';')[0]!;
};

/** Runs a `gatehouse` command on the data dir `dir` (keyring and SQLite database there); returns its output. */
async function cli(dir: string, ...args: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { out: (t) => out.push(t), err: (t) => err.push(t), readSecret: async () => '', env: { GATEHOUSE_DATA_DIR: dir, GATEHOUSE_LOG_LEVEL: 'silent' } };
  assert.equal(await main(args, io), 0, err.join('\n'));
  return out.join('\n');
}

describe('key rotation keeps browser sessions and trusted devices working (HTTPS)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-rotation-'));
  const keyringFile = path.join(dir, 'keyring');
  let keyring: Keyring;
  let server: TestServer;
  const wrong = 'Wrong-password-but-long-enough';
  const login = (username: string, password: string, cookie?: string) =>
    httpsRequest(server, 'POST', '/v1/sessions', { body: { username, password }, ...(cookie ? { headers: { cookie } } : {}) });
  const createSpace = (session: string, csrfToken: string, name: string) =>
    httpsRequest(server, 'POST', '/v1/spaces', { headers: { cookie: session, 'x-csrf-token': csrfToken }, body: { name } });
  /** `gatehouse keys rotate <purposes>`, then what SIGHUP does in a running server. */
  const rotate = async (...purposes: string[]) => {
    await cli(dir, 'keys', 'rotate', ...purposes);
    keyring.reload(keyringFile);
  };

  before(async () => {
    keyring = Keyring.loadOrCreate(keyringFile);
    server = await startTestServer({
      listen: true,
      keyring,
      // An account locks after two failures (for an hour); the device budget stays open.
      loginThrottle: { ...RELAXED_LOGIN_THROTTLE, account: { freeFailures: 2, maxDelaySeconds: 3600, forgetAfterSeconds: 3600 } },
    });
    for (const u of ['alice', 'dora']) {
      const reg = await httpsRequest(server, 'POST', '/v1/users', { body: { username: u, password: passwordFor(u) } });
      assert.equal(reg.status, 201, reg.text);
    }
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a logged-in browser keeps changing state with its CSRF token after the csrf key is rotated', async () => {
    const res = await login('alice', passwordFor('alice'));
    assert.equal(res.status, 201, res.text);
    const session = cookieValue(res, '__Host-gh_session');
    const oldToken: string = res.json.csrfToken;
    assert.equal((await createSpace(session, oldToken, 'before')).status, 201);

    const oldKeyId = keyring.current('csrf').id;
    await rotate('csrf');
    assert.notEqual(keyring.current('csrf').id, oldKeyId);

    const after = await createSpace(session, oldToken, 'after rotation');
    assert.equal(after.status, 201, after.text);
    // The token handed out now is under the new key, and works too.
    const fresh = await httpsRequest(server, 'GET', '/v1/sessions/current/csrf', { headers: { cookie: session } });
    assert.equal(fresh.status, 200);
    assert.notEqual(fresh.json.csrfToken, oldToken);
    assert.ok(fresh.json.csrfToken.startsWith(`${keyring.current('csrf').id}.`), 'issued under the current key');
    assert.equal((await createSpace(session, fresh.json.csrfToken, 'fresh token')).status, 201);
  });

  it('refuses CSRF tokens forged under no csrf key of the keyring', async () => {
    const res = await login('alice', passwordFor('alice'));
    const session = cookieValue(res, '__Host-gh_session');
    const token: string = res.json.csrfToken;
    const [keyId, mac] = token.split('.') as [string, string];
    const sessionId = session.slice(session.indexOf('=') + 1).split('.')[0]!;
    const hmac = (key: Buffer) => createHmac('sha256', key).update(`csrf:${sessionId}`).digest('base64url');
    const otherPurpose = keyring.current('at-rest');
    const forgeries = {
      'a random MAC under the current key id': `${keyId}.${Buffer.alloc(32, 7).toString('base64url')}`,
      'the right MAC under an unknown key id': `csrf-nosuchkey.${mac}`,
      'the MAC under a key of another deployment': `${keyId}.${hmac(Keyring.ephemeral().current('csrf').key)}`,
      'the MAC under another purpose’s key, with its id': `${otherPurpose.id}.${hmac(otherPurpose.key)}`,
      'the MAC alone, without a key id': mac,
    };
    for (const [what, forged] of Object.entries(forgeries)) {
      const r = await createSpace(session, forged, 'forged');
      assert.equal(r.status, 403, what);
      assert.equal(r.json.code, 'csrf_failed', what);
    }
    assert.equal((await createSpace(session, token, 'genuine')).status, 201);
  });

  it('honours a device cookie issued before its key was rotated; refuses a forged one', async () => {
    const first = await login('dora', passwordFor('dora'));
    assert.equal(first.status, 201);
    const device = cookieValue(first, '__Host-gh_device');
    const deviceKeyId = keyring.current('device-cookie').id;
    assert.ok(device.includes(`.${deviceKeyId}.`), 'the cookie names its key');
    assert.notEqual(deviceKeyId, keyring.current('csrf').id, 'device cookies have a key of their own');

    await rotate('device-cookie', 'csrf');
    assert.notEqual(keyring.current('device-cookie').id, deviceKeyId);

    for (let i = 0; i < 3; i++) await login('dora', wrong); // an attacker locks the account
    assert.equal((await login('dora', passwordFor('dora'))).status, 429, 'locked without the device cookie');
    const viaDevice = await login('dora', passwordFor('dora'), device);
    assert.equal(viaDevice.status, 201, viaDevice.text);
    assert.ok(cookieValue(viaDevice, '__Host-gh_device').includes(`.${keyring.current('device-cookie').id}.`), 'reissued under the current key');

    const deviceId = device.slice(device.indexOf('=') + 1).split('.')[0]!;
    const forgedMac = createHmac('sha256', keyring.current('csrf').key).update(`device:dora:${deviceId}`).digest('base64url');
    for (const forged of [`${deviceId}.${deviceKeyId}.abc`, `${deviceId}.${keyring.current('csrf').id}.${forgedMac}`, `${deviceId}.${forgedMac}`]) {
      assert.equal((await login('dora', passwordFor('dora'), `__Host-gh_device=${forged}`)).status, 429, forged);
    }
  });
});

describe('TOTP secrets across `keys rotate totp` and `keys reencrypt` (HTTPS)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-totp-rotation-'));
  const keyringFile = path.join(dir, 'keyring');
  const clock = fakeClock();
  let keyring: Keyring;
  let server: TestServer;
  let secret = '';
  const loginWithCode = (code: string) =>
    httpsRequest(server, 'POST', '/v1/sessions', { body: { username: 'tess', password: passwordFor('tess'), otp: code } });

  before(async () => {
    keyring = Keyring.loadOrCreate(keyringFile);
    // The database the `keys` commands find from GATEHOUSE_DATA_DIR.
    server = await startTestServer({ listen: true, keyring, clock, databaseUrl: `sqlite:${path.join(dir, 'gatehouse.sqlite')}` });
    const reg = await httpsRequest(server, 'POST', '/v1/users', { body: { username: 'tess', password: passwordFor('tess') } });
    assert.equal(reg.status, 201, reg.text);
    const tok = await httpsRequest(server, 'POST', '/v1/tokens', { headers: { authorization: basicAuth('tess', passwordFor('tess')) }, body: { name: 't' } });
    assert.equal(tok.status, 201, tok.text);
    const auth = { authorization: `Bearer ${tok.json.token}` };
    const start = await httpsRequest(server, 'POST', '/v1/users/me/mfa/totp', { headers: auth });
    assert.equal(start.status, 200, start.text);
    secret = start.json.secret;
    const confirm = await httpsRequest(server, 'POST', '/v1/users/me/mfa/totp/confirm', { headers: auth, body: { code: totpCodeAt(secret, clock()) } });
    assert.equal(confirm.status, 200, confirm.text);
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a user enrolled before the rotation logs in with a valid code after reencrypt, and after the old key is retired', async () => {
    const oldKeyId = keyring.current('totp').id;
    await cli(dir, 'keys', 'rotate', 'totp');
    keyring.reload(keyringFile);
    assert.match(await cli(dir, 'keys', 'reencrypt'), /totp_credentials\.secret_encrypted: 1 value/);

    clock.advance(30_000);
    const afterReencrypt = await loginWithCode(totpCodeAt(secret, clock()));
    assert.equal(afterReencrypt.status, 201, afterReencrypt.text);

    // The keyring has no retire command; retiring is deleting the old key from the file.
    // Nothing may still need it: the secret must now be under the new key only.
    const data = JSON.parse(fs.readFileSync(keyringFile, 'utf8')) as { keys: { id: string }[] };
    data.keys = data.keys.filter((k) => k.id !== oldKeyId);
    fs.writeFileSync(keyringFile, JSON.stringify(data), { mode: 0o600 });
    keyring.reload(keyringFile);
    assert.equal(keyring.byId(oldKeyId), undefined, 'the old totp key is gone');

    clock.advance(30_000);
    const afterRetire = await loginWithCode(totpCodeAt(secret, clock()));
    assert.equal(afterRetire.status, 201, afterRetire.text);
  });
});
