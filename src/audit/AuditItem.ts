import type { Selectable } from 'kysely';
import type { AuditLogTable } from '../store/schema.ts';

/** An audit record as the API and `audit export` show it (API.md, "Audit"). */
export interface AuditItem {
  readonly id: string;
  readonly time: string;
  readonly requestId: string;
  readonly phase: string;
  readonly actor: string;
  readonly actorType: string;
  readonly authMethod: string;
  readonly client: { readonly address: string; readonly userAgent: string };
  readonly action: { readonly method: string; readonly route: string };
  readonly resource: string;
  readonly outcome: string;
  readonly reason: string;
  readonly status: number | null;
}

/** The API's view of a stored row: times in ISO 8601 UTC, `id` is the chain's sequence number. */
export function toAuditItem(row: Selectable<AuditLogTable>): AuditItem {
  return {
    id: String(row.seq),
    time: new Date(Number(row.time)).toISOString(),
    requestId: row.request_id,
    phase: row.phase,
    actor: row.actor,
    actorType: row.actor_type,
    authMethod: row.auth_method,
    client: { address: row.client_address, userAgent: row.user_agent },
    action: { method: row.method, route: row.route },
    resource: row.resource,
    outcome: row.outcome,
    reason: row.reason,
    status: row.status === null ? null : Number(row.status),
  };
}
