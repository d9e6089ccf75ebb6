import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, problemType, type ErrorCode } from '../../errors/codes.ts';
import { GatehouseError } from '../../errors/GatehouseError.ts';

/**
 * The one error handler: every error becomes application/problem+json (RFC 9457) with a
 * stable `code`. Never a stack trace; a 500 only for a real server fault, which is logged.
 */
export function errorHandler(error: FastifyError | GatehouseError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const problem = toGatehouseError(error);
  if (problem.code === 'internal_error') request.log.error({ err: error }, 'unhandled error');
  if (request.auditState) {
    request.auditState.reason ||= `${problem.code}: ${problem.auditReason}`;
  }
  sendProblem(reply, problem, request.id);
}

/** Writes a problem+json response for a GatehouseError. */
export function sendProblem(reply: FastifyReply, problem: GatehouseError, requestId: string): void {
  const body: Record<string, unknown> = {
    type: problemType(problem.code),
    title: ERROR_CODES[problem.code].title,
    status: problem.status,
    code: problem.code,
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...problem.extras,
    requestId,
  };
  reply.code(problem.status).headers(problem.headers).type('application/problem+json; charset=utf-8').send(JSON.stringify(body));
}

/** Maps framework and validation errors to the registry. */
export function toGatehouseError(error: unknown): GatehouseError {
  if (error instanceof GatehouseError) return error;
  const e = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (Array.isArray(e.validation) && e.validation.length > 0) return fromValidation(e.validation, e.validationContext);
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatehouseError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new GatehouseError('unsupported_media_type', { detail: 'Send the body as application/json' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatehouseError('invalid_request', { detail: 'The JSON body is empty' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // Fastify reports bad syntax and prototype poisoning (secure-json-parse) alike.
      return new GatehouseError('invalid_request', {
        detail: 'The body is not valid JSON, or contains a forbidden __proto__ or constructor key',
        auditReason: 'body rejected by the JSON parser (syntax or prototype poisoning)',
      });
    case 'FST_ERR_BAD_URL':
      return new GatehouseError('invalid_request', { detail: 'The URL is malformed', auditReason: 'malformed URL' });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new GatehouseError('invalid_request', { detail: 'A path segment is too long', auditReason: 'path parameter over the router limit' });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatehouseError('invalid_request', { detail: 'Content-Length does not match the body' });
    case '22021': // PostgreSQL: text cannot hold U+0000 (SQLite stores it); a client's input, not a server fault
      return new GatehouseError('invalid_request', { detail: 'Text must not contain the NUL character (U+0000)', auditReason: 'NUL character refused by PostgreSQL' });
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 400 && e.name === 'SyntaxError') {
    // JSON.parse and secure-json-parse (prototype poisoning) errors; their text is safe but not useful.
    const poisoned = /prototype|constructor/i.test(e.message);
    return new GatehouseError('invalid_request', {
      detail: poisoned ? 'The body contains a forbidden __proto__ or constructor key' : 'The body is not valid JSON',
    });
  }
  const byStatus: Partial<Record<number, ErrorCode>> = {
    400: 'invalid_request',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    409: 'conflict',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    429: 'rate_limited',
    503: 'overloaded',
  };
  const code = byStatus[status];
  if (code) return new GatehouseError(code, { auditReason: `${e.code ?? 'error'}: ${e.message}` });
  return new GatehouseError('internal_error', { auditReason: `${e.name}: ${e.message}` });
}

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function fromValidation(issues: ValidationIssue[], context: string | undefined): GatehouseError {
  const issue = issues[0]!;
  const base = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  let field = base;
  let detail: string;
  if (issue.keyword === 'additionalProperties') {
    field = join(base, String(issue.params.additionalProperty));
    detail = `Unknown field "${field}"`;
  } else if (issue.keyword === 'required') {
    field = join(base, String(issue.params.missingProperty));
    detail = `Missing required field "${field}"`;
  } else {
    detail = `Field "${field || context || 'body'}" ${issue.message ?? 'is invalid'}`;
  }
  return new GatehouseError('invalid_request', {
    detail,
    extras: { field: field || (context ?? 'body'), ...(context ? { in: context } : {}) },
  });
}

function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}
