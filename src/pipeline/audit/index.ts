import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../../audit/AuditLog.ts';
import { outboxInsert } from '../../audit/AuditOutbox.ts';
import type { DatabaseSchema } from '../../store/schema.ts';
import type { UnitOfWork, UnitOfWorkScope } from '../../store/unitOfWork.ts';
import type { AuditRecord } from '../../audit/AuditRecord.ts';
import type { Clock } from '../../clock.ts';
import { GatehouseError } from '../../errors/GatehouseError.ts';
import { ANONYMOUS, principalName } from '../authn/principal.ts';
import { truncateAddress, type AddressPrefix } from './clientAddress.ts';
import { RejectionAggregator, type AggregationLimits } from './RejectionAggregator.ts';
import type { ClientErrorRejection } from '../transport/clientErrors.ts';

export interface AuditDeps {
  readonly auditLog: AuditLog;
  readonly clock: Clock;
  /** Bits of the client address to keep; default all. */
  readonly addressPrefix?: AddressPrefix;
  /** How rejections under a flood are aggregated (default DEFAULT_AGGREGATION). */
  readonly aggregation?: AggregationLimits;
  /**
   * The database whose unit of work makes a state change and its outcome record one
   * transaction (src/store/unitOfWork.ts). Without it, the outcome is committed just before
   * the response instead (the attempt record is committed before the change either way).
   */
  readonly transactions?: { readonly scope: UnitOfWorkScope; readonly db: Kysely<DatabaseSchema> };
}

/** Rejections a flood produces by the thousand: rate limited, or shed under overload. */
function isFloodRejection(status: number, reason: string): boolean {
  return status === 429 || (status === 503 && reason.startsWith('overloaded:'));
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Seconds a client is asked to wait when the audit store cannot be written. */
const RETRY_AFTER_SECONDS = '5';

/**
 * Stage 4, audit. `recordAttempt` runs once the caller is known and before access control;
 * `recordOutcome` runs after the response is sent. A request rejected before the attempt
 * was recorded (rate limit, failed authentication) still gets both records, so every
 * rejection is in the log. Credentials never are: only the principal's name is recorded.
 *
 * Nothing unrecorded (issue 5): for a state-changing request (any method but GET/HEAD/OPTIONS)
 * `requireAttemptStored` (4b, the last preHandler) waits until the attempt record is
 * committed and refuses the request with 503 `audit_unavailable` if it cannot be, before the
 * handler runs. The handler then runs in a unit of work (`inUnitOfWork`): everything it writes
 * is one transaction, and `recordOutcomeBeforeSend` (onSend) inserts the outcome record into
 * the audit outbox as that transaction's last statement and commits, so the change and its
 * record commit together or not at all (a failed commit answers 503 `audit_unavailable`, and
 * nothing of the change remains); then it waits for the writer to move the record into the
 * chain before the response leaves. A handler that fails with a 5xx has its writes rolled
 * back. Reads stay buffered: a crash loses at most the records of the batch not yet written
 * (up to AuditLog's linger, 5 ms).
 */
export function auditStage(deps: AuditDeps) {
  const prefix = deps.addressPrefix ?? { v4: 32, v6: 128 };
  const attemptStored = new WeakMap<FastifyRequest, Promise<void>>();
  /** Requests that reached the handler with their attempt committed; their outcome is committed in onSend. */
  const committedAttempt = new WeakSet<FastifyRequest>();
  const outcomeWritten = new WeakSet<FastifyRequest>();
  /** The unit of work of each state-changing request that reached its handler. */
  const units = new WeakMap<FastifyRequest, UnitOfWork>();
  const tx = deps.transactions;
  /**
   * Commits a request's unit of work with its outcome record, if the handler wrote anything;
   * resolves false when there was nothing to commit. Rejects when the commit failed: then
   * nothing of the change was stored.
   */
  const commitWithOutcome = async (request: FastifyRequest, status: number): Promise<boolean> => {
    const unit = units.get(request);
    units.delete(request);
    if (!unit || !tx || !unit.isOpen) {
      await unit?.rollback(); // settles a unit that never began
      return false;
    }
    if (status >= 500) {
      // The handler failed unexpectedly: undo its partial writes; the outcome says so.
      await unit.rollback();
      return false;
    }
    await unit.commit(outboxInsert(tx.db, build(request, 'outcome', deps.clock(), status)));
    outcomeWritten.add(request);
    return true;
  };
  /** After a commit: the outcome record is safe in the outbox; wait until it is chained too. */
  const chainCommitted = (request: FastifyRequest): Promise<void> =>
    deps.auditLog.chainOutbox().catch((err: unknown) => {
      request.log.error({ err }, 'audit outcome record committed to the outbox but not yet chained');
    });
  const build = (request: FastifyRequest, phase: AuditRecord['phase'], time: number, status: number | null) =>
    buildRecord(request, phase, time, status, prefix);
  const aggregator = new RejectionAggregator(deps.aggregation);
  /** The fast path's last aggregation key (see countRejectionOnly). */
  let lastKey = { address: '', reason: '', truncated: '', key: '' };
  let nextSweep = -Infinity;
  const summarizeEndedWindows = (now: number): void => {
    if (now < nextSweep) return;
    nextSweep = now + 1000; // ended windows are summarized within a second, without a timer
    for (const summary of aggregator.due(now)) deps.auditLog.record(summary);
  };
  /** False if this rejection is only counted (its window's summary record will state it). */
  const admitRejection = (request: FastifyRequest, status: number, now: number): boolean => {
    summarizeEndedWindows(now);
    if (!isFloodRejection(status, request.auditState?.reason ?? '')) return true;
    const outcome = build(request, 'outcome', now, status);
    const { full, summaries } = aggregator.admit(aggregationKey(outcome.clientAddress, outcome.actor, outcome.reason), outcome, now);
    for (const summary of summaries) deps.auditLog.record(summary);
    return full;
  };

  return {
    recordAttempt(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
      const record = build(request, 'attempt', deps.clock(), null);
      if (READS.has(request.method)) deps.auditLog.record(record);
      else {
        const stored = deps.auditLog.recordAndStore(record);
        stored.catch(() => undefined); // awaited (and turned into a 503) by requireAttemptStored
        attemptStored.set(request, stored);
      }
      request.auditState.attemptRecorded = true;
      done();
    },
    // Callback-style hooks: reads take the synchronous path, with no promise per request.
    requireAttemptStored(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
      const stored = attemptStored.get(request);
      if (!stored) return done();
      stored.then(
        () => {
          committedAttempt.add(request);
          done();
        },
        () => done(new GatehouseError('audit_unavailable', {
          auditReason: 'audit: the attempt record could not be stored; state change refused',
          headers: { 'retry-after': RETRY_AFTER_SECONDS },
        })),
      );
    },
    /** For onRoute: runs a state-changing route's handler in its own unit of work. */
    inUnitOfWork(route: RouteOptions): void {
      if (!tx || [route.method].flat().every((m) => READS.has(m))) return;
      const handler = route.handler;
      route.handler = function handleInUnitOfWork(this: unknown, request, reply) {
        const unit = tx.scope.create();
        units.set(request, unit);
        return tx.scope.run(unit, () => handler.call(this as never, request, reply));
      };
    },
    recordOutcomeBeforeSend(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void): void {
      if (!committedAttempt.has(request) || outcomeWritten.has(request)) return done(null, payload);
      if (units.has(request)) {
        commitWithOutcome(request, reply.statusCode).then(
          (committed) => {
            if (committed) return chainCommitted(request).then(() => done(null, payload));
            return recordOutcomeNow();
          },
          (err: unknown) => {
            request.log.error({ err }, 'state change rolled back: its outcome record could not be committed with it');
            done(new GatehouseError('audit_unavailable', {
              auditReason: 'audit: the outcome record could not be committed with the change; change rolled back',
              headers: { 'retry-after': RETRY_AFTER_SECONDS },
            }));
          },
        );
        return;
      }
      recordOutcomeNow();

      // Nothing written in a unit of work (or it was rolled back): commit the outcome on its own.
      function recordOutcomeNow(): void {
        outcomeWritten.add(request);
        deps.auditLog.recordAndStore(build(request, 'outcome', deps.clock(), reply.statusCode)).then(
          () => done(null, payload),
          (err: unknown) => {
            // The change is done and cannot be refused any more; the record stays queued for retry.
            request.log.error({ err }, 'audit outcome record not yet stored');
            done(null, payload);
          },
        );
      }
    },
    recordOutcome(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
      if (units.has(request)) {
        // The response ended without onSend committing (the client went away mid-request):
        // the unit of work still commits with its outcome, or rolls back.
        commitWithOutcome(request, reply.statusCode).then(
          (committed) => (committed ? chainCommitted(request) : undefined),
          (err: unknown) => request.log.error({ err }, 'state change rolled back: its outcome record could not be committed with it'),
        ).finally(() => recordBufferedOutcome(request, reply, done));
        return;
      }
      recordBufferedOutcome(request, reply, done);
    },
    /**
     * A request Node's HTTP parser refused before any hook (src/pipeline/transport/clientErrors.ts):
     * its attempt and outcome records, aggregated per address and reason under a flood.
     */
    recordClientError(rejection: ClientErrorRejection): void {
      const now = deps.clock();
      const clientAddress = truncateAddress(rejection.clientAddress, prefix);
      const record = (phase: AuditRecord['phase'], status: number | null): AuditRecord =>
        requestRecord(now, rejection.requestId, phase, ANONYMOUS_ACTOR, clientAddress, '', '(unparsed)', '(unmatched)', '', status, rejection.reason);
      const outcome = record('outcome', rejection.status);
      const { full, summaries } = aggregator.admit(aggregationKey(outcome.clientAddress, outcome.actor, outcome.reason), outcome, now);
      for (const summary of summaries) deps.auditLog.record(summary);
      if (!full) return;
      deps.auditLog.record(record('attempt', null));
      deps.auditLog.record(outcome);
    },
    /**
     * For the pre-routing fast path (pipeline/fastpath): counts an anonymous request's 429 into
     * its aggregation window, as the outcome record `recordOutcome` would have made of it, but
     * only if that window already holds its full records (RejectionAggregator.countOnly). False,
     * with nothing recorded, when the rejection is to be recorded in full: the caller must then
     * leave the request to the normal path, which records it.
     */
    countRejectionOnly(rejection: FastRejection, now: number): boolean {
      summarizeEndedWindows(now);
      // A flood repeats one address and reason: the same key string (its hash computed once) serves them all.
      if (rejection.clientAddress !== lastKey.address || rejection.reason !== lastKey.reason) {
        const truncated = truncateAddress(rejection.clientAddress, prefix);
        lastKey = { address: rejection.clientAddress, reason: rejection.reason, truncated, key: aggregationKey(truncated, ANONYMOUS_ACTOR.actor, rejection.reason) };
      }
      const record = requestRecord(now, rejection.requestId, 'outcome', ANONYMOUS_ACTOR, lastKey.truncated, rejection.userAgent,
        rejection.method, rejection.route, rejection.url, 429, rejection.reason);
      return aggregator.countOnly(lastKey.key, record, now);
    },
    /** At shutdown: the summaries of open aggregation windows, so no counted rejection is lost. */
    recordAggregates(): void {
      for (const summary of aggregator.drain()) deps.auditLog.record(summary);
    },
  };

  function recordBufferedOutcome(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const now = deps.clock();
    if (!request.auditState) {
      // The request failed before the pipeline's first stage ran (e.g. a malformed URL).
      request.auditState = { attemptRecorded: false, reason: 'rejected before the pipeline', stage: 'transport' };
    }
    if (!outcomeWritten.has(request) && !admitRejection(request, reply.statusCode, now)) return done();
    if (!request.auditState.attemptRecorded) deps.auditLog.record(build(request, 'attempt', now, null));
    if (!outcomeWritten.has(request)) deps.auditLog.record(build(request, 'outcome', now, reply.statusCode));
    done();
  }
}

/** A rate-limited anonymous request the fast path refused, as the audit log describes it. */
export interface FastRejection {
  readonly requestId: string;
  readonly clientAddress: string;
  readonly userAgent: string;
  readonly method: string;
  /** The route's pattern, or '(unmatched)'. */
  readonly route: string;
  readonly url: string;
  /** `rate_limited: rate limit: <layer> limit exceeded`, as the normal path's reason reads. */
  readonly reason: string;
}


const DENIAL_PREFIXES = ['authentication:', 'authorization:', 'rate limit:', 'csrf:'];

/** allowed for success; denied when a security stage rejected; error for anything else. */
export function classifyOutcome(status: number, reason: string): AuditRecord['outcome'] {
  if (status < 400) return 'allowed';
  if (status === 401 || status === 403 || status === 429) return 'denied';
  const stageReason = reason.slice(reason.indexOf(': ') + 2);
  return DENIAL_PREFIXES.some((p) => stageReason.startsWith(p)) ? 'denied' : 'error';
}

function buildRecord(request: FastifyRequest, phase: AuditRecord['phase'], time: number, status: number | null, prefix: AddressPrefix): AuditRecord {
  const principal = request.principal ?? ANONYMOUS;
  const actor = { actor: principalName(principal), actorType: principal.kind, authMethod: principal.authMethod };
  const route = request.is404 ? '(unmatched)' : (request.routeOptions.url ?? '(unmatched)');
  return requestRecord(time, request.id, phase, actor, truncateAddress(request.clientAddress ?? request.ip ?? 'unknown', prefix),
    request.headers['user-agent'] ?? '', request.method, route, request.url, status, request.auditState?.reason ?? '');
}

/** Rejections are aggregated per (truncated) address, actor and reason, whichever path saw them. */
function aggregationKey(clientAddress: string, actor: string, reason: string): string {
  return `${clientAddress}|${actor}|${reason}`;
}

type Actor = Pick<AuditRecord, 'actor' | 'actorType' | 'authMethod'>;

const ANONYMOUS_ACTOR: Actor = { actor: principalName(ANONYMOUS), actorType: 'anonymous', authMethod: 'none' };

/** Stored lengths of the client-supplied free text in a record (the rest is bounded by the pipeline). */
const MAX_USER_AGENT = 256;
const MAX_RESOURCE = 512;

/**
 * The one place a request's record is shaped, whichever path saw the request (the pipeline's
 * hooks, Node's parser refusing it, the flood gate): the same limits and the same outcome
 * classification, so the three cannot drift apart. `clientAddress` comes truncated to the
 * configured prefix; a pending (attempt) record has no reason yet.
 */
function requestRecord(
  time: number, requestId: string, phase: AuditRecord['phase'], actor: Actor, clientAddress: string,
  userAgent: string, method: string, route: string, url: string, status: number | null, reason: string,
): AuditRecord {
  return {
    time,
    requestId,
    phase,
    actor: actor.actor,
    actorType: actor.actorType,
    authMethod: actor.authMethod,
    clientAddress,
    userAgent: userAgent.slice(0, MAX_USER_AGENT),
    method,
    route,
    resource: pathOf(url).slice(0, MAX_RESOURCE),
    outcome: status === null ? 'pending' : classifyOutcome(status, reason),
    reason: status === null ? '' : reason,
    status,
  };
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
