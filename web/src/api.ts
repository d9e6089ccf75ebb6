// The one way the page talks to the API. Credentials: the HttpOnly session cookie (sent by
// the browser, never visible to script) plus the CSRF token, kept in this module's memory
// only: never in localStorage or sessionStorage, where any injected script could read it
// after the fact. A capability (from a share link) is also kept only in memory.

/** An API failure, already in plain words for the person using the page. */
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly code: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

let csrfToken: string | undefined;
let capability: string | undefined;

/** Remembers the CSRF token of the session just started (in memory only). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** From now on, every request presents this capability instead of the session. */
export function useCapability(token: string): void {
  capability = token;
}

const SAFE = new Set(['GET', 'HEAD']);

/** Calls the API; returns the parsed JSON body (undefined for 204), or throws an ApiError. */
export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  return (await send(method, path, body)).json as T;
}

/** Pages fetched at most by apiAllPages: a bound on one screen's requests, whatever the server answers. */
const MAX_PAGES = 20;

/**
 * Every item of a list the API pages with `Link: <…>; rel="next"` (RFC 8288), the body of each
 * page being a bare array. Follows only same-origin paths, at most MAX_PAGES of them.
 */
export async function apiAllPages<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = path;
  for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
    const { json, res } = await send('GET', next);
    items.push(...(json as T[]));
    next = nextPage(res.headers.get('link'));
  }
  return items;
}

/** The rel="next" target of a Link header, if it is a path on this origin. */
function nextPage(link: string | null): string | undefined {
  const target = link && /<([^>]*)>\s*;\s*rel="next"/.exec(link)?.[1];
  return target && target.startsWith('/') && !target.startsWith('//') ? target : undefined;
}

async function send(method: string, path: string, body?: unknown): Promise<{ json: unknown; res: Response }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (capability) headers.authorization = `Capability ${capability}`;
  else if (!SAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method, headers, credentials: capability ? 'omit' : 'same-origin', cache: 'no-store',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const json = text ? safeJson(text) : undefined;
  if (!res.ok) throw toApiError(res, json);
  return { json, res };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Plain words for a failed call; rate limits say how long to wait (Retry-After). */
export function toApiError(res: Response, problem: any): ApiError {
  const code = typeof problem?.code === 'string' ? problem.code : `http_${res.status}`;
  const retry = Number(res.headers.get('retry-after'));
  if (res.status === 429 || res.status === 503) {
    const wait = Number.isFinite(retry) && retry > 0 ? retry : undefined;
    const what = res.status === 429 ? 'Too many attempts.' : 'The server is busy.';
    const message = wait === undefined ? `${what} Please wait a moment and try again.` : `${what} Please wait ${describeWait(wait)} and try again.`;
    return new ApiError(message, res.status, code, wait);
  }
  // The server's generic details are written for developers; these are for people.
  const plain: Record<string, string> = {
    csrf_failed: 'This page could not prove the request came from it. Please reload the page.',
    mfa_required: 'That code or passkey was not accepted. Use the current code from your app, a recovery code, or your passkey.',
  };
  const generic = problem?.detail === 'Missing or invalid credentials';
  const detail = plain[code] ?? (typeof problem?.detail === 'string' && !generic ? problem.detail : undefined);
  const fallback: Record<number, string> = {
    400: 'Something in the form is not right.',
    401: 'You are not signed in, or your session has ended. Please sign in.',
    403: 'You are not allowed to do that.',
    404: 'That does not exist, or you cannot see it.',
    409: 'That conflicts with what is already there.',
    413: 'That is too large.',
  };
  const field = typeof problem?.field === 'string' ? ` (${problem.field})` : '';
  return new ApiError((detail ?? fallback[res.status] ?? `The request failed (${res.status}).`) + field, res.status, code);
}

/** "1 second", "2 minutes"… */
export function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}
