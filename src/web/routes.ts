import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { GatehouseError } from '../errors/GatehouseError.ts';
import { publicRoute } from '../pipeline/authz/policy.ts';
import { webBundle } from './webBundle.ts';

/**
 * The page's policy: its own script and style files only (no inline code, so an injected
 * <script> or on*= attribute cannot run), images from itself or data: URLs (the TOTP QR
 * code), requests to its own API, never framed (clickjacking), no <base> rewriting.
 */
export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * Cookies and tokens are ignored on the page and its assets: a browser with a dead session
 * cookie must still get the login page, not a 401.
 */
const PAGE_POLICY = publicRoute({ credentials: [] });

/** The browser UI at / (built from web/). */
export async function registerWebUi(app: FastifyInstance): Promise<void> {
  const bundle = await webBundle();
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/', { schema: { tags: ['ui'], summary: 'The browser UI (an HTML page)' }, config: { policy: PAGE_POLICY } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).send(bundle.html));

  r.get('/assets/:file', {
    schema: { tags: ['ui'], summary: 'A script or style sheet of the browser UI (content-hashed name)', params: Type.Object({ file: Type.String({ maxLength: 100 }) }) },
    config: { policy: PAGE_POLICY },
  }, async (request, reply) => {
    const asset = bundle.assets.get(request.params.file);
    if (!asset) throw new GatehouseError('not_found', { auditReason: 'no such UI asset' });
    // The name carries the content hash, so the file never changes under it.
    return reply.type(asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body);
  });
}
