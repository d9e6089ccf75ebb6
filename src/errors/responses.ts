import { Type } from '@sinclair/typebox';

const problem = {
  description: 'An error, as application/problem+json (RFC 9457) with a stable code',
  content: { 'application/problem+json': { schema: Type.Ref('Problem') } },
};

/** The error responses every route may give, for the OpenAPI document. */
export const PROBLEM_RESPONSES = { '4xx': problem, '5xx': problem } as const;
