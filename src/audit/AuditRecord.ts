/** One audit record. An attempt record is written before access control; an outcome record after the response. */
export interface AuditRecord {
  readonly time: number;
  readonly requestId: string;
  readonly phase: 'attempt' | 'outcome';
  /** Username, `capability:<id>`, or `anonymous`. */
  readonly actor: string;
  readonly actorType: 'user' | 'capability' | 'anonymous';
  readonly authMethod: string;
  readonly clientAddress: string;
  readonly userAgent: string;
  readonly method: string;
  /** The route pattern, e.g. `/v1/spaces/:spaceId`, or `(unmatched)`. */
  readonly route: string;
  /** The path addressed, without the query string. */
  readonly resource: string;
  readonly outcome: 'pending' | 'allowed' | 'denied' | 'error';
  /** Why it was denied or failed, precisely (never a credential). */
  readonly reason: string;
  readonly status: number | null;
}

/**
 * Where audit records go. `append` stores a batch atomically, in order; it rejects if the
 * batch could not be stored.
 */
export interface AuditSink {
  append(records: readonly AuditRecord[]): Promise<void>;
  /**
   * A record was committed to the audit outbox with a state change (src/audit/AuditOutbox.ts):
   * the next `append`, even of no records, must move it into the log. Sinks without an outbox
   * leave it out.
   */
  outboxCommitted?(): void;
}
