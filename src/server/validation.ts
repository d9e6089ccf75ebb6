import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Request validation. Fastify's default Ajv removes unknown properties silently and coerces
 * types everywhere; we want the opposite for bodies: an unknown field (`owner`, `role`, `id`)
 * is a 400 naming it, and `"text": 123` is not quietly turned into a string. Query strings
 * and path parameters arrive as text, so there (only) types are coerced.
 */
export function buildValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const common = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false, allowUnionTypes: true } as const;
  const bodyAjv = addFormats.default(new Ajv.default({ ...common, coerceTypes: false }));
  const textAjv = addFormats.default(new Ajv.default({ ...common, coerceTypes: 'array' }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);
}
