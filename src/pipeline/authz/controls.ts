import type { ControlDeclaration } from '../../threatmodel/control.ts';

/** Controls of stage 5 (access control), named by the threat register. */
export const CONTROLS: readonly ControlDeclaration[] = [
  { id: 'deny-by-default', title: 'Every route declares a policy (public, authenticated, admin); none: the server does not start', implementedIn: ['src/pipeline/authz/index.ts', 'src/pipeline/authz/policy.ts'] },
  { id: 'space-roles', title: 'Identity-based rules: space roles, own messages only, the friendship rule for direct messages', implementedIn: ['src/apps/messaging/accessRules.ts', 'src/apps/messaging/contactRules.ts', 'src/apps/messaging/policy.ts'] },
  { id: 'token-scopes', title: 'API token scopes (read, write, admin) checked per method', implementedIn: ['src/pipeline/authz/policy.ts'] },
  { id: 'capability-scope', title: 'A capability grants exactly its permissions on exactly its space', implementedIn: ['src/apps/messaging/capabilityRules.ts'] },
];
