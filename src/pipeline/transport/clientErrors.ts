import { newRequestId } from './requestId.ts';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CODES, problemType, type ErrorCode } from '../../errors/codes.ts';
import type { SecurityHeaders } from '../hardening/securityHeaders.ts';
import { normalizeAddress } from './index.ts';

/** A request Node's HTTP parser refused before Fastify (and so any hook) saw it. */
export interface ClientErrorRejection {
  readonly requestId: string;
  readonly clientAddress: string;
  readonly status: number;
  /** `<code>: transport: <what Node reported>`, as the audit log's reasons read. */
  readonly reason: string;
}

/** Node's parser errors, in the registry's words, with the reason the audit log keeps. */
export function classifyClientError(nodeCode: string | undefined): { code: ErrorCode; reason: string } {
  switch (nodeCode) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'request_timeout', reason: 'the request did not arrive within requestTimeout / headersTimeout (slow client)' };
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'headers_too_large', reason: 'header block over the parser ceiling (NODE_HEADER_CEILING_BYTES)' };
    default:
      // A malformed request line or header, bad framing, an unknown method.
      return { code: 'invalid_request', reason: `unparsable HTTP request (${nodeCode ?? 'unknown parser error'})` };
  }
}

/** The code for an error Node's HTTP parser or its timeouts raise before Fastify sees a request. */
export function clientErrorCode(nodeCode: string | undefined): ErrorCode {
  return classifyClientError(nodeCode).code;
}

/**
 * The whole HTTP/1.1 response for such an error: problem+json with the security headers, then
 * close; without the body when the request is known to be a HEAD (RFC 9110 §9.3.2).
 */
export function clientErrorResponse(code: ErrorCode, headers: SecurityHeaders, options: { head?: boolean; requestId?: string } = {}): string {
  const requestId = options.requestId ?? newRequestId();
  const { status, title } = ERROR_CODES[code];
  const body = JSON.stringify({ type: problemType(code), title, status, code, detail: 'The request could not be read', requestId });
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? title}`,
    ...Object.entries(headers.api).map(([name, value]) => `${name}: ${value}`),
    `x-request-id: ${requestId}`,
    'content-type: application/problem+json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
  ];
  return `${lines.join('\r\n')}\r\n\r\n${options.head ? '' : body}`;
}

/**
 * For Fastify's `clientErrorHandler` (wired in pipeline/index.ts). Node answers a request its
 * parser refuses (a malformed request line, duplicate Content-Length, an unknown method, a
 * header block past NODE_HEADER_CEILING_BYTES, headers or a body too slow) before Fastify and
 * every hook: its default reply had no security headers, no problem+json body and no audit
 * record. This one answers like every other rejection and reports it to the audit stage
 * (`onRejected`), which records it like any rejection, aggregated under a flood. The
 * connection is closed, as the parser cannot resynchronise. Written by hand because there is
 * no request or reply object to hand to Fastify.
 */
export function clientErrorHandler(headers: SecurityHeaders, onRejected: (rejection: ClientErrorRejection) => void) {
  const answered = new WeakSet<Duplex>();
  return function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    // A reset connection has gone: nothing to answer, and nothing was asked.
    if (error.code === 'ECONNRESET' || socket.destroyed) {
      socket.destroy();
      return;
    }
    if (answered.has(socket)) return; // a failed parser reports every further chunk: answered (and audited) once
    answered.add(socket);
    const { code, reason } = classifyClientError(error.code);
    const requestId = newRequestId();
    const address = (socket as Duplex & { remoteAddress?: string }).remoteAddress;
    onRejected({ requestId, clientAddress: normalizeAddress(address), status: ERROR_CODES[code].status, reason: `${code}: transport: ${reason}` });
    // As Node's own handler does (lib/_http_server.js, socketOnError): answer only while no
    // response on this connection has started, so that a half-sent answer is not corrupted.
    const inFlight = (socket as Duplex & { _httpMessage?: { _headerSent?: boolean } | null })._httpMessage;
    // The parser's current bytes start the request only when it came in one piece: then a HEAD is recognisable.
    const raw = (error as { rawPacket?: unknown }).rawPacket;
    const head = Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
    if (!socket.writable || inFlight?._headerSent) {
      socket.destroy();
      return;
    }
    // Lingering close (RFC 9112 §9.6): a client may still be sending (a header block past the
    // ceiling is refused mid-stream); closed at once, the unread bytes reset the connection and
    // the client never reads the answer (on TLS, destroy() also drops an answer still being
    // encrypted). So: answer, end our side, go on reading (and discarding) until the client
    // closes, for LINGER_MS at most.
    socket.end(clientErrorResponse(code, headers, { head, requestId }));
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

/** How long a refused connection is read (and discarded) before it is closed, at most. */
const LINGER_MS = 2000;
