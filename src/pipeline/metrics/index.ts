import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../../operations/metrics.ts';

const STAGES = ['rate limit', 'authentication', 'csrf', 'audit', 'authorization'] as const;

/** Which stage refused a request, read from the audit reason (`code: stage: detail`). */
export function rejectingStage(reason: string): string {
  const afterCode = reason.slice(reason.indexOf(': ') + 2);
  return STAGES.find((s) => afterCode.startsWith(`${s}:`)) ?? 'application';
}

/**
 * Stage 6b, metrics: every response is counted, and every rejection is counted by the stage
 * that made it (MISSION.md §1: a rejection is visible as a status, an audit record and a metric).
 */
export function metricsStage(metrics: Metrics) {
  return function countResponse(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const route = request.is404 ? '(unmatched)' : (request.routeOptions.url ?? '(unmatched)');
    const status = reply.statusCode;
    metrics.requests.inc({ method: request.method, route, status });
    metrics.duration.observe({ route }, reply.elapsedTime / 1000);
    if (status >= 400) {
      const reason = request.auditState?.reason ?? '';
      const code = reason.slice(0, Math.max(0, reason.indexOf(':'))) || String(status);
      metrics.rejections.inc({ stage: rejectingStage(reason), code });
    }
    done();
  };
}
