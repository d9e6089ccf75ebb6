import type { ControlDeclaration } from '../../threatmodel/control.ts';

/** Controls of stage 2 (rate limiting), named by the threat register. */
export const CONTROLS: readonly ControlDeclaration[] = [
  { id: 'rate-limit-before-authn', title: 'Global and per-address limits (GCRA) before any password hash, body read or query', implementedIn: ['src/pipeline/ratelimit/index.ts', 'src/pipeline/ratelimit/gcra.ts'] },
  { id: 'flood-gate', title: 'A flood the limiter refuses is answered 429 before routing, from its exact refusal cache, after load shedding, audited and counted as on the normal path', implementedIn: ['src/pipeline/fastpath/index.ts', 'src/pipeline/ratelimit/RefusalCache.ts'] },
  { id: 'rate-limit-per-principal', title: 'Per-user and per-capability quotas after authentication', implementedIn: ['src/pipeline/ratelimit/index.ts'] },
  { id: 'login-throttle', title: 'Failed logins throttled per account, device, address and address range', implementedIn: ['src/accounts/login/LoginThrottle.ts', 'src/accounts/login/throttlePolicy.ts'] },
  { id: 'hashing-concurrency-gate', title: 'Bounded concurrent and queued password hashes, then 503', implementedIn: ['src/accounts/passwordHashing.ts'] },
];
