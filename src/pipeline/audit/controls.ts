import type { ControlDeclaration } from '../../threatmodel/control.ts';

/** Controls of stage 4 (audit logging), named by the threat register. */
export const CONTROLS: readonly ControlDeclaration[] = [
  { id: 'audit-every-request', title: 'An attempt and an outcome record for every request, rejected ones included', implementedIn: ['src/pipeline/audit/index.ts', 'src/audit/AuditLog.ts'] },
  { id: 'audit-fail-closed', title: 'A state change waits for its attempt record and is refused if it cannot be written', implementedIn: ['src/pipeline/audit/index.ts', 'src/audit/AuditLog.ts'] },
  { id: 'audit-hash-chain', title: 'Audit records MAC-chained with a keyring key; verify, checkpoints and anchored pruning', implementedIn: ['src/audit/chain/chain.ts', 'src/audit/chain/verifyChain.ts', 'src/audit/chain/checkpoint.ts'] },
  { id: 'audit-pii-minimised', title: 'Client addresses truncated to a configured prefix; credentials never recorded', implementedIn: ['src/pipeline/audit/clientAddress.ts', 'src/pipeline/audit/index.ts'] },
  { id: 'log-redaction', title: 'Credentials redacted from server logs', implementedIn: ['src/server/buildApp.ts'] },
];
