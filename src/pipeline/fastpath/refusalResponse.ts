import { ERROR_CODES, problemType } from '../../errors/codes.ts';
import type { LimitDecision, LimitPolicy } from '../ratelimit/gcra.ts';
import { rateLimitHeader, rateLimitPolicyHeader, rateLimitedDetail, retryAfterSecondsOf } from '../ratelimit/index.ts';
import type { SecurityHeaders } from '../hardening/securityHeaders.ts';

/**
 * The 429 of one rate-limit policy, precomputed: the normal path's response (security headers,
 * X-Request-Id, Retry-After, RateLimit-Policy, RateLimit, Content-Type, Content-Length, in the
 * order Fastify writes them; the problem+json body of errorHandler.ts's sendProblem, members in
 * its order) with only the request id and the few numbers left to fill in. Pure.
 */
export class RefusalResponse {
  private readonly headers: readonly string[];
  private readonly bodyStart: string;
  /** Where the varying values go in the header list (name, value, name, value...). */
  private readonly slot: number;

  constructor(security: SecurityHeaders, private readonly policy: LimitPolicy) {
    this.slot = Object.keys(security.api).length * 2 + 1;
    this.headers = [
      ...Object.entries(security.api).flat(),
      'x-request-id', '',
      'retry-after', '',
      'ratelimit-policy', rateLimitPolicyHeader(policy),
      'ratelimit', '',
      'content-type', 'application/problem+json; charset=utf-8',
      'content-length', '',
    ];
    const { status, title } = ERROR_CODES.rate_limited;
    // JSON.stringify's output for the members before `detail`, which varies.
    this.bodyStart = `${JSON.stringify({ type: problemType('rate_limited'), title, status, code: 'rate_limited' }).slice(0, -1)},"detail":`;
  }

  /** The header list (flat: name, value...) and body of this refusal. */
  render(decision: LimitDecision, requestId: string): { headers: string[]; body: string } {
    const retryAfter = retryAfterSecondsOf(decision);
    // The request id is a UUID and the detail has no character JSON escapes: stringify would give the same.
    const body = `${this.bodyStart}"${rateLimitedDetail(retryAfter)}","requestId":"${requestId}"}`;
    const headers = this.headers.slice();
    const at = this.slot;
    headers[at] = requestId;
    headers[at + 2] = String(retryAfter);
    headers[at + 6] = rateLimitHeader(decision, this.policy);
    headers[at + 10] = String(body.length);
    return { headers, body };
  }
}
