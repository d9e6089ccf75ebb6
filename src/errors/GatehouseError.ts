import { ERROR_CODES, type ErrorCode } from './codes.ts';

/** Extra problem+json members, e.g. the offending `field` of a 400. */
export type ProblemExtras = Readonly<Record<string, string | number | boolean>>;

/**
 * The one error type. `detail` is shown to the client and must not reveal secrets or
 * internal state; `auditReason` is the precise reason, recorded only in the audit log
 * (all authentication failures look the same outside, STYLE.md habit 4).
 */
export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly auditReason: string;
  readonly extras: ProblemExtras;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    options: {
      detail?: string;
      auditReason?: string;
      extras?: ProblemExtras;
      headers?: Record<string, string>;
    } = {},
  ) {
    // Why: an expected rejection (401, 403, 404, 429, 503, …) is answered and audited but never
    // logged with a stack, and capturing one was 12% of the CPU of a 429 (bench profile of
    // gatehouse-rejected). Only internal_error, which the error handler logs, keeps its stack.
    const stackTraceLimit = Error.stackTraceLimit;
    if (code !== 'internal_error') Error.stackTraceLimit = 0;
    super(options.detail ?? ERROR_CODES[code].title);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'GatehouseError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.detail = options.detail;
    this.auditReason = options.auditReason ?? options.detail ?? code;
    this.extras = options.extras ?? {};
    this.headers = options.headers ?? {};
  }
}

/** Shorthand for a 400 naming the offending field. */
export function invalidField(field: string, detail: string): GatehouseError {
  return new GatehouseError('invalid_request', { detail, extras: { field } });
}
