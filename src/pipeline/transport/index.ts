import type { FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS } from '../authn/principal.ts';
import type { SecurityHeaders } from '../hardening/securityHeaders.ts';
import { clientAddressOf, type TrustedProxies } from './clientAddress.ts';

export { normalizeAddress } from './clientAddress.ts';

/**
 * Stage 1, transport. TLS itself is terminated by the HTTPS listener (server/); this stage
 * fixes the client's address (clientAddressOf: X-Forwarded-For is believed only from the
 * proxies GATEHOUSE_TRUST_PROXY names), sets the request's initial state for the later
 * stages, and puts the precomputed security headers on the reply so that every response,
 * errors included, carries them.
 */
export function transportStage(headers: SecurityHeaders, trusted: TrustedProxies | undefined) {
  return function identifyClient(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    request.clientAddress = clientAddressOf(request.raw, trusted);
    request.principal = ANONYMOUS;
    request.access = NO_ACCESS;
    request.auditState = { attemptRecorded: false, reason: '', stage: '' };
    reply.headers(headers.api);
    reply.header('x-request-id', request.id);
    done();
  };
}

const NO_ACCESS = Object.freeze({});
