// Threat: local disclosure of the TLS private key. A configured GATEHOUSE_TLS_KEY that other
// OS users can read or write stops the start (as a loose keyring does), naming the setting
// and the file; so does a loose generated development key (refused, not silently tightened:
// someone may already have read it).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateDevCertificate, loadTlsMaterial } from '../../src/server/devCertificate.ts';

describe('TLS private key file permissions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-tlskey-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  before(async () => {
    const pair = await generateDevCertificate(new Date());
    fs.writeFileSync(certFile, pair.cert, { mode: 0o644 });
    fs.writeFileSync(keyFile, pair.key, { mode: 0o600 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const loose of [0o640, 0o604, 0o644, 0o660, 0o620]) {
    it(`refuses a configured key with mode ${loose.toString(8)}, naming GATEHOUSE_TLS_KEY and the file`, async () => {
      fs.chmodSync(keyFile, loose);
      try {
        await assert.rejects(loadTlsMaterial({ dataDir: dir, certFile, keyFile }), (err: Error) =>
          /^GATEHOUSE_TLS_KEY: /.test(err.message) && err.message.includes(keyFile) && /chmod 600/.test(err.message));
      } finally {
        fs.chmodSync(keyFile, 0o600);
      }
    });
  }

  it('accepts an owner-only key (0600, 0400) next to a world-readable certificate', async () => {
    assert.equal((await loadTlsMaterial({ dataDir: dir, certFile, keyFile })).source, 'configured');
    fs.chmodSync(keyFile, 0o400);
    assert.equal((await loadTlsMaterial({ dataDir: dir, certFile, keyFile })).source, 'configured');
    fs.chmodSync(keyFile, 0o600);
  });

  it('refuses a generated development key that became readable by others, and leaves it as it was', async () => {
    const dataDir = fs.mkdtempSync(path.join(dir, 'data-'));
    await loadTlsMaterial({ dataDir });
    const devKey = path.join(dataDir, 'dev-key.pem');
    fs.chmodSync(devKey, 0o644);
    await assert.rejects(loadTlsMaterial({ dataDir }), (err: Error) => err.message.includes(devKey) && /chmod 600/.test(err.message));
    assert.equal(fs.statSync(devKey).mode & 0o777, 0o644, 'not silently tightened');
    fs.chmodSync(devKey, 0o600);
    assert.equal((await loadTlsMaterial({ dataDir })).source, 'reused');
  });
});
