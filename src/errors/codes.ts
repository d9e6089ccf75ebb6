/**
 * The one registry of error codes. Every error a client can see has a stable `code` from
 * this table; tests assert codes, never messages. `/docs` renders this table, so the
 * documentation cannot drift from the code.
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, title: 'The request is malformed or invalid' },
  weak_password: { status: 400, title: 'The password does not meet the password policy' },
  invalid_code: { status: 400, title: 'The one-time code is wrong, expired or already used' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  mfa_required: { status: 401, title: 'A second factor is required' },
  forbidden: { status: 403, title: 'This action is not allowed' },
  insufficient_scope: { status: 403, title: 'The credential lacks the scope for this action' },
  csrf_failed: { status: 403, title: 'The CSRF token is missing or invalid' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  request_timeout: { status: 408, title: 'The request did not arrive in time' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  uri_too_long: { status: 414, title: 'The URL is too long' },
  unsupported_media_type: { status: 415, title: 'Only application/json is accepted' },
  rate_limited: { status: 429, title: 'Too many requests' },
  headers_too_large: { status: 431, title: 'The request headers are too large' },
  internal_error: { status: 500, title: 'Internal server error' },
  overloaded: { status: 503, title: 'The server is overloaded or shutting down' },
  audit_unavailable: { status: 503, title: 'The audit log cannot be written; state changes are refused until it can' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The `type` URI of a problem: a fragment of the server's own /docs page. */
export function problemType(code: ErrorCode): string {
  return `/docs#error-${code}`;
}
