import type { ControlDeclaration } from '../threatmodel/control.ts';

const REDIS_STORES = [
  'src/pipeline/ratelimit/RedisRateLimitStore.ts',
  'src/accounts/login/RedisLoginFailureStore.ts',
  'src/accounts/mfa/RedisUsedOtpStore.ts',
];

/** Controls of the state instances share on Redis (rate limits, failed logins, used TOTP steps), named by the threat register. */
export const CONTROLS: readonly ControlDeclaration[] = [
  {
    id: 'shared-state-atomic',
    title: 'Each shared decision is one Lua script on Redis (decide and record at once; Redis\'s clock for limits), over one connection per instance',
    implementedIn: [...REDIS_STORES, 'src/server/sharedStores.ts'],
  },
  {
    id: 'shared-state-bounded',
    title: 'Every shared-state key expires (a limit when its bucket is full again, failed logins after their forget time, a TOTP step after its window)',
    implementedIn: REDIS_STORES,
  },
  {
    id: 'shared-state-fail-closed',
    title: 'Redis failing: limits fall back to per-instance state or 503 (never "no limit"); logins and TOTP checks 503; /readyz reports it; commands fail fast',
    implementedIn: ['src/pipeline/ratelimit/FallbackRateLimitStore.ts', 'src/accounts/login/RedisLoginFailureStore.ts', 'src/accounts/mfa/RedisUsedOtpStore.ts', 'src/server/sharedStores.ts', 'src/store/redisClient.ts'],
  },
  {
    id: 'redis-input-as-arguments',
    title: 'Constant Lua scripts; what clients choose reaches Redis only as keys and arguments, never as command or script text',
    implementedIn: REDIS_STORES,
  },
  {
    id: 'redis-least-privilege',
    title: 'Gatehouse\'s Redis user (shipped ACL) reaches only its key prefixes and the commands its scripts need',
    implementedIn: ['deploy/redis-acl.conf'],
  },
];
