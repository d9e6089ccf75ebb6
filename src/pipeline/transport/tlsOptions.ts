import type { SecureContextOptions, TlsOptions } from 'node:tls';

/**
 * TLS settings: 1.2 minimum; for TLS 1.2 only forward-secret ECDHE suites with AEAD ciphers
 * (TLS 1.3 suites are all AEAD and forward-secret); the server's preference order wins.
 */
export const TLS_1_2_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** The secure context: certificate, protocol floor, suites. Also what a certificate reload swaps in. */
export function secureContextOptions(material: { cert: string; key: string }): SecureContextOptions & Pick<TlsOptions, 'honorCipherOrder'> {
  return {
    cert: material.cert,
    key: material.key,
    minVersion: 'TLSv1.2',
    ciphers: TLS_1_2_CIPHERS,
    honorCipherOrder: true,
  };
}

/**
 * The listener: HTTP/2 offered by ALPN, HTTP/1.1 still accepted (allowHTTP1). TLS session
 * resumption (1.3 tickets, 1.2 tickets) is on by default in node:tls and halves the cost of a
 * returning client's handshake (PERF-NOTES.md).
 */
export function tlsServerOptions(material: { cert: string; key: string }): TlsOptions & SecureContextOptions & { allowHTTP1: boolean } {
  return { ...secureContextOptions(material), allowHTTP1: true };
}
