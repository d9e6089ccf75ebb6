import { Type } from '@sinclair/typebox';
import { ERROR_CODES } from './codes.ts';

/** The problem+json body (RFC 9457), for the OpenAPI document. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.Union(Object.keys(ERROR_CODES).map((c) => Type.Literal(c))),
    detail: Type.Optional(Type.String()),
    field: Type.Optional(Type.String({ description: 'The offending field of a 400' })),
    requestId: Type.String(),
  },
  { $id: 'Problem', description: 'An error, as application/problem+json' },
);
