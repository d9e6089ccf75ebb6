import type { ControlDeclaration } from '../../threatmodel/control.ts';

/** Controls of stage 1 (transport), named by the threat register (threat-model/register.ts). */
export const CONTROLS: readonly ControlDeclaration[] = [
  { id: 'tls-1.2-minimum', title: 'HTTPS only: TLS 1.2+ with forward-secret AEAD suites', implementedIn: ['src/pipeline/transport/tlsOptions.ts', 'src/server/buildApp.ts'] },
  { id: 'hsts', title: 'Strict-Transport-Security and other security headers on every response', implementedIn: ['src/pipeline/hardening/securityHeaders.ts', 'src/pipeline/transport/index.ts'] },
  { id: 'trusted-proxy-only', title: 'X-Forwarded-For believed only from configured proxy addresses', implementedIn: ['src/server/buildApp.ts', 'src/config/schema.ts'] },
  { id: 'slow-client-limits', title: 'Header and request timeouts against slow clients (slowloris)', implementedIn: ['src/server/buildApp.ts'] },
  { id: 'secret-file-permissions', title: 'Data dir 0700, keyring, certificate key and database files 0600; looser modes refused or fixed', implementedIn: ['src/crypto/keyring.ts', 'src/server/devCertificate.ts', 'src/store/database.ts'] },
];
