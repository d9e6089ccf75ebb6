// `gatehouse serve` as an operator runs it, in its own process: replacing the certificate files
// and sending SIGHUP makes new TLS connections get the new certificate, without a restart
// (issue 7, "certificate and key reloaded without a restart (on SIGHUP)"). Without the
// handler, SIGHUP would kill the process; the test would see it exit and fail.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { generateDevCertificate } from '../../src/server/devCertificate.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/gatehouse.js');

/** Log lines of the child as parsed JSON, each awaited by a predicate; rejects if the child exits first. */
function logWatcher(child: ChildProcess) {
  const seen: Record<string, unknown>[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  let exited: Error | undefined;
  readline.createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    seen.push(line);
    for (const w of [...waiters]) if (w.match(line)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(line);
  });
  child.once('exit', (code, signal) => {
    exited = new Error(`gatehouse serve exited (code ${code}, signal ${signal}); log: ${JSON.stringify(seen.map((l) => l.msg))}`);
    for (const w of waiters.splice(0)) w.reject(exited);
  });
  return {
    /** The first log line (from now on, or already seen if `fromStart`) that matches. */
    next(match: (l: Record<string, unknown>) => boolean, fromStart = false): Promise<Record<string, unknown>> {
      const earlier = fromStart ? seen.find(match) : undefined;
      if (earlier) return Promise.resolve(earlier);
      if (exited) return Promise.reject(exited);
      return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
    },
  };
}

/** The certificate a fresh TLS connection is served. */
async function servedFingerprint(port: number): Promise<string> {
  const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false });
  try {
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    const cert = socket.getPeerX509Certificate();
    assert.ok(cert);
    return cert.fingerprint256;
  } finally {
    socket.destroy();
  }
}

describe('gatehouse serve reloads the certificate on SIGHUP', { timeout: 120_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-sighup-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  let child: ChildProcess;
  let log: ReturnType<typeof logWatcher>;
  let port = 0;
  let listeningCode: unknown;

  before(async () => {
    const first = await generateDevCertificate(new Date());
    fs.writeFileSync(certFile, first.cert, { mode: 0o600 });
    fs.writeFileSync(keyFile, first.key, { mode: 0o600 });
    child = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        PATH: process.env.PATH,
        GATEHOUSE_DATA_DIR: path.join(dir, 'data'), GATEHOUSE_PORT: '0', GATEHOUSE_LOG_LEVEL: 'info',
        GATEHOUSE_TLS_CERT: certFile, GATEHOUSE_TLS_KEY: keyFile,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    log = logWatcher(child);
    const listening = await log.next((l) => typeof l.url === 'string' && String(l.msg).startsWith('Gatehouse listening'), true);
    port = Number(new URL(String(listening.url)).port);
    listeningCode = listening.code;
    assert.equal(await servedFingerprint(port), new X509Certificate(first.cert).fingerprint256);
  });
  after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gatehouse serve runs from the esbuild bundle (bin/bundle.js), not through tsx', () => {
    assert.equal(listeningCode, 'bundle');
  });

  it('serves the replaced certificate on a new connection after SIGHUP, still running', async () => {
    const second = await generateDevCertificate(new Date());
    fs.writeFileSync(certFile, second.cert);
    fs.writeFileSync(keyFile, second.key);
    const reloaded = log.next((l) => String(l.msg).startsWith('reloaded the TLS certificate'));
    child.kill('SIGHUP');
    await reloaded;
    assert.equal(await servedFingerprint(port), new X509Certificate(second.cert).fingerprint256);
    assert.equal(child.exitCode, null, 'still running');
  });

  it('keeps the certificate it has when the replaced files are unusable, and logs why', async () => {
    const before = await servedFingerprint(port);
    const other = await generateDevCertificate(new Date());
    fs.writeFileSync(keyFile, other.key); // no longer matches the certificate file
    const failed = log.next((l) => String(l.msg).startsWith('reload failed'));
    child.kill('SIGHUP');
    await failed;
    assert.equal(await servedFingerprint(port), before);
  });
});
