import { sql, type Kysely } from 'kysely';
import { SCHEMA_NAME } from './postgres.ts';

/** Tables the running server may read and append to, but never change or delete from. */
const APPEND_ONLY = ['audit_log'] as const;
/**
 * The audit outbox: outcome records are inserted with their change and deleted once chained;
 * never updated, so a compromised server cannot rewrite a record while it waits.
 */
const INSERT_DELETE = ['audit_outbox'] as const;
/** Tables only the owner writes (`gatehouse db migrate`, `gatehouse audit prune`). */
const READ_ONLY = ['audit_anchors', 'kysely_migration', 'kysely_migration_lock'] as const;

/** A role name we quote ourselves: letters, digits, underscore. */
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The GRANTs for the least-privileged role the server runs as (README "Running several instances"), in order.
 * Run by the owner role after the migrations. The role can log in and use the schema, read
 * and write the application's tables, but on the audit log only INSERT and SELECT: even a
 * compromised server process cannot rewrite or remove history (UPDATE, DELETE, TRUNCATE,
 * ALTER and DROP are refused by PostgreSQL). It owns nothing, so it cannot grant itself more.
 */
export function runtimeRoleStatements(role: string, schema: string, tables: readonly string[], sequences: readonly string[]): string[] {
  if (!ROLE_NAME.test(role)) throw new Error('runtime role name must match [a-z_][a-z0-9_]*');
  if (!SCHEMA_NAME.test(schema)) throw new Error('schema name must match [a-z_][a-z0-9_]*');
  const q = (t: string) => `${schema}."${t.replace(/"/g, '')}"`;
  const special = new Set<string>([...APPEND_ONLY, ...INSERT_DELETE, ...READ_ONLY]);
  return [
    `do $$ begin if not exists (select 1 from pg_roles where rolname = '${role}') then create role ${role} login; end if; end $$`,
    `revoke all on all tables in schema ${schema} from ${role}`,
    `grant usage on schema ${schema} to ${role}`,
    ...tables.filter((t) => !special.has(t)).map((t) => `grant select, insert, update, delete on ${q(t)} to ${role}`),
    ...APPEND_ONLY.filter((t) => tables.includes(t)).map((t) => `grant select, insert on ${q(t)} to ${role}`),
    ...INSERT_DELETE.filter((t) => tables.includes(t)).map((t) => `grant select, insert, delete on ${q(t)} to ${role}`),
    ...READ_ONLY.filter((t) => tables.includes(t)).map((t) => `grant select on ${q(t)} to ${role}`),
    // Sequences of the application tables' serial keys; the audit log's seq is chosen by the
    // chain under its lock, never taken from a sequence.
    ...sequences.filter((s) => !s.startsWith('audit_log')).map((s) => `grant usage on sequence ${q(s)} to ${role}`),
  ];
}

/** Creates (if needed) and grants the runtime role on the schema the owner's connection uses. */
export async function grantRuntimeRole(db: Kysely<any>, role: string, schema: string): Promise<string[]> {
  const tables = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = ${schema}`.execute(db);
  const sequences = await sql<{ name: string }>`select sequencename as name from pg_sequences where schemaname = ${schema}`.execute(db);
  const statements = runtimeRoleStatements(role, schema, tables.rows.map((r) => r.name), sequences.rows.map((r) => r.name));
  for (const s of statements) await sql.raw(s).execute(db);
  return statements;
}
