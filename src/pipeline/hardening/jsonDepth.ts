import type { FastifyInstance } from 'fastify';
import { GatehouseError } from '../../errors/GatehouseError.ts';

/**
 * Pure: whether JSON text nests objects/arrays deeper than `max`, found in one pass over the
 * text before parsing (brackets inside strings do not count). Checked before JSON.parse so a
 * body of 500,000 `[` costs a scan, not a recursion that exhausts the stack.
 */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** Replaces the JSON body parser with one that refuses bodies nested deeper than `maxDepth` (400). */
export function limitJsonDepth(fastify: FastifyInstance, maxDepth: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error'); // prototype poisoning still refused
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDeeperThan(body as string, maxDepth)) {
      return done(new GatehouseError('invalid_request', { detail: `JSON nested deeper than ${maxDepth} levels`, auditReason: 'transport: JSON depth over the limit' }), undefined);
    }
    parse(request, body as string, done);
  });
}
