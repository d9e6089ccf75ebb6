/**
 * The first-party caveat language of Gatehouse capabilities, as pure functions.
 * A caveat is one line `<name> <op> <value>`; the macaroon's chained HMAC makes them
 * append-only, so a holder can add caveats (narrow) but never remove one (widen).
 * Every caveat must be understood: an unknown one makes the token invalid (deny by default).
 */
export const CAPABILITY_PERMISSIONS = ['read', 'post'] as const;
export type CapabilityPermission = (typeof CAPABILITY_PERMISSIONS)[number];

export type Caveat =
  | { readonly kind: 'space'; readonly spaceId: string }
  | { readonly kind: 'permissions'; readonly permissions: readonly CapabilityPermission[] }
  | { readonly kind: 'expires'; readonly atMs: number }
  | { readonly kind: 'method'; readonly methods: readonly string[] };

/** What a token grants once every caveat is taken into account. */
export interface CapabilityRights {
  readonly spaceId: string;
  readonly permissions: readonly CapabilityPermission[];
  readonly expiresAtMs: number;
  /** Undefined: any method the permissions allow. */
  readonly methods: readonly string[] | undefined;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Bounds the work one token can cause (caveats are checked on every request). */
export const MAX_CAVEATS = 32;

/** The text of a caveat, as written into the macaroon. */
export function formatCaveat(c: Caveat): string {
  switch (c.kind) {
    case 'space':
      return `space = ${c.spaceId}`;
    case 'permissions':
      return `permissions = ${c.permissions.join(',')}`;
    case 'expires':
      return `expires < ${new Date(c.atMs).toISOString()}`;
    case 'method':
      return `method = ${c.methods.join(',')}`;
  }
}

/** Parses one caveat; undefined if it is not one Gatehouse understands. */
export function parseCaveat(text: string): Caveat | undefined {
  const match = /^(space|permissions|method) = ([^\s]{1,200})$|^expires < (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z)$/.exec(text);
  if (!match) return undefined;
  if (match[3] !== undefined) {
    const atMs = Date.parse(match[3]);
    return Number.isFinite(atMs) ? { kind: 'expires', atMs } : undefined;
  }
  const value = match[2]!;
  const list = value.split(',');
  if (new Set(list).size !== list.length) return undefined;
  switch (match[1]) {
    case 'space':
      return /^[A-Za-z0-9_-]{1,64}$/.test(value) ? { kind: 'space', spaceId: value } : undefined;
    case 'permissions':
      return list.every((p) => (CAPABILITY_PERMISSIONS as readonly string[]).includes(p))
        ? { kind: 'permissions', permissions: list as CapabilityPermission[] }
        : undefined;
    default:
      return list.every((m) => METHODS.includes(m)) ? { kind: 'method', methods: list } : undefined;
  }
}

/**
 * Combines the caveats of a token into the rights it grants: permissions and methods are
 * intersected, the earliest expiry wins, and every space caveat must name the same space.
 * A token must carry a space, a permissions and an expiry caveat (the server mints them first).
 */
export function effectiveRights(caveats: readonly string[]): { ok: true; rights: CapabilityRights } | { ok: false; reason: string } {
  if (caveats.length > MAX_CAVEATS) return { ok: false, reason: `more than ${MAX_CAVEATS} caveats` };
  let spaceId: string | undefined;
  let permissions: readonly CapabilityPermission[] | undefined;
  let expiresAtMs: number | undefined;
  let methods: readonly string[] | undefined;
  for (const text of caveats) {
    const c = parseCaveat(text);
    if (!c) return { ok: false, reason: `unknown caveat "${text.slice(0, 80)}"` };
    switch (c.kind) {
      case 'space':
        if (spaceId !== undefined && spaceId !== c.spaceId) return { ok: false, reason: 'caveats name two different spaces' };
        spaceId = c.spaceId;
        break;
      case 'permissions':
        permissions = permissions === undefined ? c.permissions : permissions.filter((p) => c.permissions.includes(p));
        break;
      case 'expires':
        expiresAtMs = Math.min(expiresAtMs ?? Infinity, c.atMs);
        break;
      case 'method':
        methods = methods === undefined ? c.methods : methods.filter((m) => c.methods.includes(m));
        break;
    }
  }
  if (spaceId === undefined || permissions === undefined || expiresAtMs === undefined) {
    return { ok: false, reason: 'token lacks a space, permissions or expiry caveat' };
  }
  return { ok: true, rights: { spaceId, permissions, expiresAtMs, methods } };
}

/** Why the rights do not cover a request at this time with this method; undefined if they do. */
export function rightsRefuse(rights: CapabilityRights, request: { nowMs: number; method: string }): string | undefined {
  if (rights.expiresAtMs <= request.nowMs) return 'capability expired (caveat)';
  if (rights.permissions.length === 0) return 'caveats leave no permission';
  if (rights.methods !== undefined && !rights.methods.includes(request.method)) return `method ${request.method} excluded by a caveat`;
  return undefined;
}
