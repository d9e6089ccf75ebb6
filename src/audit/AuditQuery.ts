import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/schema.ts';

export interface AuditFilter {
  readonly actor?: string;
  /** `METHOD` alone, or `METHOD /route/pattern`. */
  readonly action?: string;
  /** A path; matches it and everything below it. */
  readonly resource?: string;
  readonly outcome?: string;
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly afterSeq?: number;
  readonly beforeSeq?: number;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
}

/** Reads the audit log with filters and keyset pagination (parameterized SQL only). */
export class AuditQuery {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async find(filter: AuditFilter) {
    let q = this.db.selectFrom('audit_log').selectAll();
    if (filter.actor !== undefined) q = q.where('actor', '=', filter.actor);
    if (filter.outcome !== undefined) q = q.where('outcome', '=', filter.outcome);
    if (filter.fromMs !== undefined) q = q.where('time', '>=', filter.fromMs);
    if (filter.toMs !== undefined) q = q.where('time', '<', filter.toMs);
    if (filter.afterSeq !== undefined) q = q.where('seq', '>', filter.afterSeq);
    if (filter.beforeSeq !== undefined) q = q.where('seq', '<', filter.beforeSeq);
    if (filter.action !== undefined) {
      const space = filter.action.indexOf(' ');
      q = space < 0
        ? q.where('method', '=', filter.action.toUpperCase())
        : q.where('method', '=', filter.action.slice(0, space).toUpperCase()).where('route', '=', filter.action.slice(space + 1));
    }
    if (filter.resource !== undefined) {
      const prefix = filter.resource.replace(/\/+$/, '');
      const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
      q = q.where((eb) => eb.or([eb('resource', '=', prefix || '/'), sql<boolean>`resource like ${pattern} escape '\\'`]));
    }
    const rows = await q.orderBy('seq', filter.order).limit(filter.limit + 1).execute();
    const more = rows.length > filter.limit;
    return { rows: rows.slice(0, filter.limit), more };
  }
}
