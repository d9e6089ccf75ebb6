import type { IncomingMessage } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatehouseError } from '../../errors/GatehouseError.ts';

export interface LoadSample {
  /** p99 event-loop delay over the last sampling period, in ms. */
  readonly eventLoopDelayMs: number;
  /** Heap in use / the heap's size limit. */
  readonly heapUsedRatio: number;
}

export interface ShedLimits {
  readonly eventLoopDelayMs: number;
  readonly heapUsedRatio: number;
}

/** Pure: the reason to shed load given a sample, or undefined to serve. */
export function shedReason(sample: LoadSample, limits: ShedLimits): string | undefined {
  if (sample.eventLoopDelayMs > limits.eventLoopDelayMs) return `event-loop delay ${Math.round(sample.eventLoopDelayMs)} ms over ${limits.eventLoopDelayMs} ms`;
  if (sample.heapUsedRatio > limits.heapUsedRatio) return `heap ${(sample.heapUsedRatio * 100).toFixed(1)}% used, over ${(limits.heapUsedRatio * 100).toFixed(1)}%`;
  return undefined;
}

/** How often the load is sampled; a request only reads the last verdict. */
const SAMPLE_INTERVAL_MS = 250;
const RETRY_AFTER_SECONDS = '2';

function heapUsedRatio(): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size / h.heap_size_limit;
}

/** The size of a request's header block as Node's parser counts it: request line and header lines. */
export function headerBlockBytes(method: string, url: string, rawHeaders: readonly string[]): number {
  let bytes = method.length + url.length + 11; // "<method> <url> HTTP/1.1\r\n"
  for (const field of rawHeaders) bytes += field.length + 2; // "name: " and "value\r\n"
  return bytes;
}

/**
 * Stage 1b, load shedding and the URL and header bounds (MISSION §2: the limiter must cost far
 * less than serving). The event loop's delay and the heap are sampled every 250 ms off the
 * request path; a request only reads the last verdict (one comparison), then gets 503
 * overloaded with Retry-After while the server is over a threshold, before any other work is
 * spent on it. A header block over GATEHOUSE_MAX_HEADER_BYTES is refused here (431), where the
 * request is known, so a HEAD gets its answer without a body (RFC 9110 §9.3.2); Node's parser
 * only stops blocks past NODE_HEADER_CEILING_BYTES (buildApp.ts), before any request exists.
 */
export function loadSheddingStage(limits: ShedLimits & { readonly maxUrlLength: number; readonly maxHeaderBytes: number }) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let verdict: string | undefined;
  let timer: NodeJS.Timeout | undefined;

  return {
    /**
     * Starts sampling, once the server is ready (onReady): the work of starting up (routes, the
     * UI bundle) is not load, and measured from construction it made a just-started server on
     * a busy machine answer its first requests 503 (found by `npm run verify:attacks`).
     */
    start(): void {
      delay.reset();
      delay.enable();
      verdict = shedReason({ eventLoopDelayMs: 0, heapUsedRatio: heapUsedRatio() }, limits);
      clearInterval(timer);
      let lastSample = performance.now();
      timer = setInterval(() => {
        // The sampler's own lateness counts too. When a block ends, the sampler and the
        // histogram's timer are both due; if the sampler runs first, the histogram has not yet
        // recorded the block and the reset below would drop it (17 of 20 such blocks went
        // unseen, scratch experiment); the sampler was delayed by that same block.
        const now = performance.now();
        const lateMs = now - lastSample - SAMPLE_INTERVAL_MS;
        lastSample = now;
        verdict = shedReason({ eventLoopDelayMs: Math.max(delay.percentile(99) / 1e6, lateMs), heapUsedRatio: heapUsedRatio() }, limits);
        delay.reset();
      }, SAMPLE_INTERVAL_MS);
      timer.unref();
    },
    /**
     * Whether `shedLoad` would let this request through now (the fast path, which answers
     * before this stage runs, answers only such requests and leaves the rest to it).
     */
    admits(raw: IncomingMessage): boolean {
      if (verdict !== undefined) return false;
      const url = raw.url ?? '';
      return url.length <= limits.maxUrlLength && headerBlockBytes(raw.method ?? '', url, raw.rawHeaders) <= limits.maxHeaderBytes;
    },
    shedLoad(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
      if (verdict !== undefined) {
        return done(new GatehouseError('overloaded', {
          detail: 'The server is overloaded; retry shortly',
          auditReason: `load shedding: ${verdict}`,
          headers: { 'retry-after': RETRY_AFTER_SECONDS },
        }));
      }
      if (request.url.length > limits.maxUrlLength) {
        return done(new GatehouseError('uri_too_long', { auditReason: `transport: URL of ${request.url.length} characters over ${limits.maxUrlLength}` }));
      }
      const headerBytes = headerBlockBytes(request.raw.method ?? '', request.raw.url ?? '', request.raw.rawHeaders);
      if (headerBytes > limits.maxHeaderBytes) {
        return done(new GatehouseError('headers_too_large', { auditReason: `transport: header block of ${headerBytes} bytes over ${limits.maxHeaderBytes}` }));
      }
      done();
    },
    stop(): void {
      clearInterval(timer);
      delay.disable();
    },
  };
}
