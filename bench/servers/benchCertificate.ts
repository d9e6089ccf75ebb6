/**
 * Certificates for the TLS scenarios: a self-signed localhost certificate with an ECDSA P-256
 * or an RSA-2048 key, made as src/server/devCertificate.ts makes the development certificate
 * (webcrypto + @peculiar/x509). BENCH_CERT picks the kind for a server child.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const CERT_KINDS = ['ecdsa-p256', 'rsa-2048'] as const;
export type CertKind = (typeof CERT_KINDS)[number];

const ALGORITHMS: Record<CertKind, RsaHashedKeyGenParams | EcKeyGenParams & { hash: string }> = {
  'ecdsa-p256': { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
  'rsa-2048': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
};

/** The kind named by BENCH_CERT, or undefined when it is not set (the server's default certificate). */
export function certKindFromEnv(): CertKind | undefined {
  const raw = process.env.BENCH_CERT;
  if (raw === undefined || raw === '') return undefined;
  if (!(CERT_KINDS as readonly string[]).includes(raw)) throw new Error(`BENCH_CERT: expected one of ${CERT_KINDS.join(', ')}, got "${raw}"`);
  return raw as CertKind;
}

/** A self-signed certificate for localhost and 127.0.0.1, valid one day, as PEM. */
export async function generateCertificate(kind: CertKind, now = new Date()): Promise<{ cert: string; key: string }> {
  const alg = ALGORITHMS[kind];
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=localhost, O=Gatehouse benchmark certificate (${kind})`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 24 * 3600_000),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
  return { cert: `${cert.toString('pem')}\n`, key };
}
