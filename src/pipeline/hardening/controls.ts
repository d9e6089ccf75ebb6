import type { ControlDeclaration } from '../../threatmodel/control.ts';

/** Controls that harden every stage (input and error handling), named by the threat register. */
export const CONTROLS: readonly ControlDeclaration[] = [
  { id: 'body-limits', title: 'Bounded body size and JSON only (413, 415); prototype poisoning refused', implementedIn: ['src/server/buildApp.ts'] },
  { id: 'schema-validation', title: 'Every body, parameter and query validated against its schema; unknown fields refused', implementedIn: ['src/server/validation.ts'] },
  { id: 'problem-errors', title: 'Errors as problem+json with a stable code, never a stack trace', implementedIn: ['src/pipeline/hardening/errorHandler.ts'] },
  { id: 'parameterized-sql', title: 'All SQL through Kysely with bound parameters; LIKE patterns escaped', implementedIn: ['src/store/database.ts', 'src/audit/AuditQuery.ts'] },
  { id: 'at-rest-encryption', title: 'Message bodies and TOTP secrets encrypted (AEAD, keyring keys, row-bound)', implementedIn: ['src/store/encryptedColumns.ts', 'src/crypto/aead.ts'] },
  { id: 'keyring-rotation', title: 'Key ids on all protected data; rotation and re-encryption keep old data readable', implementedIn: ['src/crypto/keyring.ts', 'src/cli/commands/keys.ts'] },
];
