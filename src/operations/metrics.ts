import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's Prometheus metrics, in a registry of its own (several apps may share a process in tests). */
export function createMetrics(options: { auditBuffered: () => number }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  /** Counted as a plain number on the hot path; prom-client reads it when scraped. */
  const floodGate = { answered: 0, reported: 0 };
  return {
    registry,
    floodGate,
    floodGateAnswered: new Counter({
      name: 'gatehouse_flood_gate_answered_total',
      help: 'Rate-limited requests answered 429 before routing (pipeline/fastpath); also counted in requests and rejections',
      registers: [registry],
      collect() {
        this.inc(floodGate.answered - floodGate.reported);
        floodGate.reported = floodGate.answered;
      },
    }),
    requests: new Counter({
      name: 'gatehouse_requests_total',
      help: 'Responses sent, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'gatehouse_rejections_total',
      help: 'Requests refused, by the pipeline stage that refused them and the error code',
      labelNames: ['stage', 'code'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'gatehouse_request_duration_seconds',
      help: 'Time from request to response, by route pattern',
      labelNames: ['route'] as const,
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2],
      registers: [registry],
    }),
    rateLimitStoreFailures: new Counter({
      name: 'gatehouse_ratelimit_store_failures_total',
      help: 'Rate-limit decisions the shared store (Redis) failed, answered by the configured fallback',
      registers: [registry],
    }),
    auditBuffered: new Gauge({
      name: 'gatehouse_audit_buffered_records',
      help: 'Audit records waiting to be written',
      registers: [registry],
      collect() {
        this.set(options.auditBuffered());
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
