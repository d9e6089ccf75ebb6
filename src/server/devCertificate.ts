// @peculiar/x509 resolves its providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { assertPrivate } from '../crypto/keyring.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** Where it came from, for the start-up log. */
  readonly source: 'configured' | 'generated' | 'reused';
}

/**
 * Returns the certificate and key to serve: the configured PEM files, or else a
 * self-signed ECDSA P-256 development certificate for localhost kept in the data dir
 * (created 0600 on first start). ECDSA because a P-256 handshake costs half of RSA-2048's
 * server CPU (PERF-NOTES.md).
 */
export async function loadTlsMaterial(options: {
  dataDir: string;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  now?: Date;
}): Promise<TlsMaterial> {
  if (options.certFile && options.keyFile) {
    const cert = readPem(options.certFile, 'GATEHOUSE_TLS_CERT');
    const key = readPem(options.keyFile, 'GATEHOUSE_TLS_KEY');
    checkCertificate(cert, key, options.certFile, options.now ?? new Date());
    assertKeyFilePrivate(options.keyFile, 'GATEHOUSE_TLS_KEY');
    return { cert, key, source: 'configured' };
  }
  const certFile = path.join(options.dataDir, 'dev-cert.pem');
  const keyFile = path.join(options.dataDir, 'dev-key.pem');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    // A loose generated key is refused, as the keyring is (keyring.ts assertPrivate), rather
    // than tightened: other users may already have read it, and only the operator can judge
    // that (delete dev-cert.pem and dev-key.pem for a fresh pair, or chmod 600 to keep it).
    assertKeyFilePrivate(keyFile, 'the development TLS key');
    const cert = fs.readFileSync(certFile, 'utf8');
    if (new Date(new X509Certificate(cert).validTo) > (options.now ?? new Date())) {
      return { cert, key: fs.readFileSync(keyFile, 'utf8'), source: 'reused' };
    }
  }
  const generated = await generateDevCertificate(options.now ?? new Date());
  fs.writeFileSync(keyFile, generated.key, { mode: 0o600 });
  fs.writeFileSync(certFile, generated.cert, { mode: 0o600 });
  return { ...generated, source: 'generated' };
}

/** A self-signed ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, valid 90 days. */
export async function generateDevCertificate(now: Date): Promise<{ cert: string; key: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    name: 'CN=localhost, O=Gatehouse development certificate',
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 90 * 24 * 3600_000),
    signingAlgorithm: alg,
    keys: keys as CryptoKeyPair,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
      // Every dev certificate has the same subject. Key identifiers let a client that trusts
      // several (an old one and its regenerated successor) find the right one: without them
      // OpenSSL took the first certificate of that name as the issuer and failed the handshake.
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem') + '\n', key };
}

/** Refuses a private key file other OS users can read or write, naming the setting and the file. */
function assertKeyFilePrivate(file: string, setting: string): void {
  try {
    assertPrivate(file);
  } catch (err) {
    throw new Error(`${setting}: ${(err as Error).message}`);
  }
}

function readPem(file: string, setting: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${setting}: cannot read ${file} (${(err as NodeJS.ErrnoException).code})`);
  }
}

function checkCertificate(certPem: string, keyPem: string, file: string, now: Date): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new Error(`GATEHOUSE_TLS_CERT: ${file} is not a PEM certificate`);
  }
  if (new Date(cert.validTo) <= now) throw new Error(`GATEHOUSE_TLS_CERT: ${file} expired on ${cert.validTo}`);
  let matches = false;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    throw new Error('GATEHOUSE_TLS_KEY: not a PEM private key');
  }
  if (!matches) throw new Error('GATEHOUSE_TLS_KEY does not match GATEHOUSE_TLS_CERT');
}
