import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { invalidField } from '../errors/GatehouseError.ts';
import { PROBLEM_RESPONSES } from '../errors/responses.ts';
import { adminOnly } from '../pipeline/authz/policy.ts';
import type { AuditLog } from './AuditLog.ts';
import type { AuditQuery } from './AuditQuery.ts';
import { toAuditItem } from './AuditItem.ts';
import type { VerifyResult } from './chain/verifyChain.ts';

const AuditQueryString = Type.Object(
  {
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A username, capability:<id>, or anonymous' })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'An HTTP method, or "METHOD /route/:pattern"' })),
    resource: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'A path: matches it and everything below it' })),
    outcome: Type.Optional(Type.Union(['pending', 'allowed', 'denied', 'error'].map((o) => Type.Literal(o)))),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);

const AuditItem = Type.Object({
  id: Type.String(),
  time: Type.String({ format: 'date-time' }),
  requestId: Type.String(),
  phase: Type.String(),
  actor: Type.String(),
  actorType: Type.String(),
  authMethod: Type.String(),
  client: Type.Object({ address: Type.String(), userAgent: Type.String() }),
  action: Type.Object({ method: Type.String(), route: Type.String() }),
  resource: Type.String(),
  outcome: Type.String(),
  reason: Type.String(),
  status: Type.Union([Type.Integer(), Type.Null()]),
});

function encodeCursor(seq: number, order: string): string {
  return Buffer.from(`a:${order}:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): { seq: number; order: 'asc' | 'desc' } {
  const m = /^a:(asc|desc):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw invalidField('cursor', 'The cursor is not one this server gave out');
  return { order: m[1] as 'asc' | 'desc', seq: Number(m[2]) };
}

/** The audit log for administrators (API.md, "Audit"). */
export function registerAuditRoutes(app: FastifyInstance, deps: { query: AuditQuery; auditLog: AuditLog; verify: () => Promise<VerifyResult> }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/v1/audit', {
    schema: {
      tags: ['audit'],
      summary: 'Search the audit log',
      description: 'Every request has an attempt record (before access control) and an outcome record, linked by requestId.',
      querystring: AuditQueryString,
      response: { 200: Type.Object({ items: Type.Array(AuditItem), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...PROBLEM_RESPONSES },
    },
    config: { policy: adminOnly() },
  }, async (request) => {
    const q = request.query;
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    const order = cursor?.order ?? q.order ?? 'desc';
    const fromMs = q.from ? Date.parse(q.from) : undefined;
    const toMs = q.to ? Date.parse(q.to) : undefined;
    // Records of this very turn may still be in the write buffer: flush so the admin sees them.
    await deps.auditLog.flush();
    const { rows, more } = await deps.query.find({
      ...(q.actor !== undefined ? { actor: q.actor } : {}),
      ...(q.action !== undefined ? { action: q.action } : {}),
      ...(q.resource !== undefined ? { resource: q.resource } : {}),
      ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(toMs !== undefined ? { toMs } : {}),
      ...(cursor ? (order === 'asc' ? { afterSeq: cursor.seq } : { beforeSeq: cursor.seq }) : {}),
      order,
      limit: q.limit ?? 100,
    });
    const last = rows[rows.length - 1];
    return {
      items: rows.map(toAuditItem),
      nextCursor: more && last ? encodeCursor(Number(last.seq), order) : null,
    };
  });

  r.get('/v1/audit/verify', {
    schema: {
      tags: ['audit'],
      summary: 'Verify the audit chain',
      description: 'Checks every record\'s MAC and its link to the one before, from the start of the log (or the anchor left by pruning) to its end. `firstBadId` locates the first modified, deleted, inserted or reordered record. Tail truncation is detected with a checkpoint kept elsewhere: `gatehouse audit verify --checkpoint`.',
      response: {
        200: Type.Object({
          ok: Type.Boolean(),
          checked: Type.Integer({ description: 'Records checked' }),
          firstBadId: Type.Optional(Type.String({ description: 'The id of the first record that fails' })),
          problem: Type.Optional(Type.String({ description: 'What is wrong' })),
        }),
        ...PROBLEM_RESPONSES,
      },
    },
    config: { policy: adminOnly() },
  }, async () => {
    await deps.auditLog.flush(); // the records of this very request's turn are part of the log
    const { ok, checked, firstBadId, problem } = await deps.verify();
    return { ok, checked, ...(firstBadId !== undefined ? { firstBadId } : {}), ...(problem !== undefined ? { problem } : {}) };
  });
}
