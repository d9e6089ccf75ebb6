// TLS material (MISSION.md §2 "Encryption", §1.5.1): the generated development certificate is
// ECDSA P-256, self-signed, for localhost/127.0.0.1/::1 only, written 0600 in the data dir,
// reused while valid and regenerated once expired; a configured certificate whose key does not
// match, that cannot be read, that is not PEM, or that has expired is refused with an error
// naming the setting.
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateDevCertificate, loadTlsMaterial } from '../../src/server/devCertificate.ts';

const DAY = 24 * 3600_000;
const mode = (file: string) => fs.statSync(file).mode & 0o777;

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-tls-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('generateDevCertificate', () => {
  it('is a self-signed ECDSA P-256 leaf certificate for localhost, 127.0.0.1 and ::1 only', async () => {
    const now = new Date();
    const { cert, key } = await generateDevCertificate(now);
    const x = new X509Certificate(cert);
    assert.equal(x.publicKey.asymmetricKeyType, 'ec');
    assert.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(x.verify(x.publicKey), 'self-signed');
    assert.equal(x.ca, false);
    assert.ok(x.checkPrivateKey(createPrivateKey(key)));
    const san = x.subjectAltName ?? '';
    assert.match(san, /DNS:localhost/);
    assert.match(san, /IP Address:127\.0\.0\.1/);
    assert.match(san, /IP Address:(0:0:0:0:0:0:0:1|::1)/);
    assert.equal(x.checkHost('localhost'), 'localhost');
    assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(x.checkIP('::1'), '::1');
    assert.equal(x.checkHost('example.com'), undefined, 'good for nothing but this machine');
    assert.match(key, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('is valid from just before `now` for 90 days', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const x = new X509Certificate((await generateDevCertificate(now)).cert);
    assert.ok(new Date(x.validFrom) <= now);
    assert.ok(now.getTime() - new Date(x.validFrom).getTime() <= 5 * 60_000);
    assert.equal(Math.round((new Date(x.validTo).getTime() - now.getTime()) / DAY), 90);
  });

  it('uses a fresh key and serial number each time', async () => {
    const a = await generateDevCertificate(new Date());
    const b = await generateDevCertificate(new Date());
    assert.notEqual(a.key, b.key);
    assert.notEqual(new X509Certificate(a.cert).serialNumber, new X509Certificate(b.cert).serialNumber);
  });

  it('a client that trusts an earlier dev certificate and its successor verifies either (same subject, key identifiers)', async () => {
    const earlier = await generateDevCertificate(new Date());
    const successor = await generateDevCertificate(new Date());
    for (const served of [earlier, successor]) {
      const server = https.createServer({ cert: served.cert, key: served.key }, (_req, res) => res.end('ok'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const body = await new Promise<string>((resolve, reject) => {
          https.get({ host: '127.0.0.1', port, servername: 'localhost', ca: [earlier.cert, successor.cert], agent: false }, (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve(text));
          }).on('error', reject);
        });
        assert.equal(body, 'ok');
      } finally {
        server.close();
      }
    }
  });
});

describe('loadTlsMaterial without a configured certificate', () => {
  it('generates the dev certificate into the data dir with files 0600, then reuses it', async () => {
    const dataDir = fs.mkdtempSync(path.join(tmp, 'gen-'));
    const first = await loadTlsMaterial({ dataDir });
    assert.equal(first.source, 'generated');
    for (const name of ['dev-cert.pem', 'dev-key.pem']) assert.equal(mode(path.join(dataDir, name)), 0o600, name);
    assert.equal(fs.readFileSync(path.join(dataDir, 'dev-cert.pem'), 'utf8'), first.cert);
    const second = await loadTlsMaterial({ dataDir });
    assert.equal(second.source, 'reused');
    assert.equal(second.cert, first.cert);
    assert.equal(second.key, first.key);
  });

  it('regenerates it once expired (time passed in)', async () => {
    const dataDir = fs.mkdtempSync(path.join(tmp, 'expire-'));
    const start = new Date();
    const first = await loadTlsMaterial({ dataDir, now: start });
    const stillValid = await loadTlsMaterial({ dataDir, now: new Date(start.getTime() + 89 * DAY) });
    assert.equal(stillValid.source, 'reused');
    const later = new Date(start.getTime() + 91 * DAY);
    const renewed = await loadTlsMaterial({ dataDir, now: later });
    assert.equal(renewed.source, 'generated');
    assert.notEqual(renewed.cert, first.cert);
    assert.ok(new Date(new X509Certificate(renewed.cert).validTo) > later);
    assert.equal(fs.readFileSync(path.join(dataDir, 'dev-cert.pem'), 'utf8'), renewed.cert);
    for (const name of ['dev-cert.pem', 'dev-key.pem']) assert.equal(mode(path.join(dataDir, name)), 0o600, name);
  });
});

describe('loadTlsMaterial with a configured certificate', () => {
  let certA: string;
  let keyA: string;
  let keyB: string;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(tmp, 'configured-'));
    const a = await generateDevCertificate(new Date());
    const b = await generateDevCertificate(new Date());
    certA = path.join(dir, 'a-cert.pem');
    keyA = path.join(dir, 'a-key.pem');
    keyB = path.join(dir, 'b-key.pem');
    fs.writeFileSync(certA, a.cert, { mode: 0o600 });
    fs.writeFileSync(keyA, a.key, { mode: 0o600 });
    fs.writeFileSync(keyB, b.key, { mode: 0o600 });
  });

  it('serves a matching, valid pair as configured, writing nothing to the data dir', async () => {
    const dataDir = fs.mkdtempSync(path.join(tmp, 'unused-'));
    const tls = await loadTlsMaterial({ dataDir, certFile: certA, keyFile: keyA });
    assert.equal(tls.source, 'configured');
    assert.equal(tls.cert, fs.readFileSync(certA, 'utf8'));
    assert.deepEqual(fs.readdirSync(dataDir), []);
  });

  it('refuses a key that does not match the certificate', async () => {
    await assert.rejects(loadTlsMaterial({ dataDir: dir, certFile: certA, keyFile: keyB }), /GATEHOUSE_TLS_KEY does not match GATEHOUSE_TLS_CERT/);
  });

  it('refuses a certificate or key file that cannot be read, naming the setting and the file', async () => {
    const missing = path.join(dir, 'missing.pem');
    await assert.rejects(loadTlsMaterial({ dataDir: dir, certFile: missing, keyFile: keyA }), (err: Error) =>
      /^GATEHOUSE_TLS_CERT: cannot read/.test(err.message) && err.message.includes(missing) && /ENOENT/.test(err.message));
    await assert.rejects(loadTlsMaterial({ dataDir: dir, certFile: certA, keyFile: missing }), /GATEHOUSE_TLS_KEY: cannot read/);
    // A directory where a file should be cannot be read either (whoever runs the test).
    await assert.rejects(loadTlsMaterial({ dataDir: dir, certFile: dir, keyFile: keyA }), /GATEHOUSE_TLS_CERT: cannot read .*EISDIR/);
  });

  it('refuses files that are not PEM', async () => {
    const junk = path.join(dir, 'junk.pem');
    fs.writeFileSync(junk, 'not a certificate');
    await assert.rejects(loadTlsMaterial({ dataDir: dir, certFile: junk, keyFile: keyA }), /GATEHOUSE_TLS_CERT: .* is not a PEM certificate/);
    await assert.rejects(loadTlsMaterial({ dataDir: dir, certFile: certA, keyFile: junk }), /GATEHOUSE_TLS_KEY: not a PEM private key/);
  });

  it('refuses an expired certificate, saying when it expired', async () => {
    const later = new Date(Date.now() + 100 * DAY);
    await assert.rejects(loadTlsMaterial({ dataDir: dir, certFile: certA, keyFile: keyA, now: later }), (err: Error) =>
      /^GATEHOUSE_TLS_CERT: .* expired on /.test(err.message) && err.message.includes(certA));
  });
});
