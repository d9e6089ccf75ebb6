import type { FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS } from '../authn/principal.ts';
import type { SecurityHeaders } from '../hardening/securityHeaders.ts';

/**
 * Stage 1, transport. TLS itself is terminated by the HTTPS listener (server/); this stage
 * fixes the client's address (Fastify's `trustProxy`, set from GATEHOUSE_TRUST_PROXY, believes
 * X-Forwarded-For only from those proxies), sets the request's initial state for the later
 * stages, and puts the precomputed security headers on the reply so that every response,
 * errors included, carries them.
 */
export function transportStage(headers: SecurityHeaders) {
  return function identifyClient(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    request.clientAddress = normalizeAddress(request.ip);
    request.principal = ANONYMOUS;
    request.access = NO_ACCESS;
    request.auditState = { attemptRecorded: false, reason: '', stage: '' };
    reply.headers(headers.api);
    reply.header('x-request-id', request.id);
    done();
  };
}

const NO_ACCESS = Object.freeze({});

/** IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is the same client as `1.2.3.4`. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
