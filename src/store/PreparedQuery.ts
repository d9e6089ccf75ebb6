import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/schema.ts';

/** Stand-in values bound once, while compiling, to find where each named parameter lands. */
const marker = (name: string) => `\u0000gatehouse-parameter:${name}\u0000`;

/**
 * A Kysely query built and compiled once, then run with new values for its named parameters.
 * Why: building and compiling a query (operation-node trees, freezing, identifier parsing)
 * cost more CPU than SQLite executing it on the per-request lookups (bench/README.md,
 * profile of gatehouse-read). The SQL text is what Kysely compiled, so it is the same on
 * every dialect, and values are still bound as parameters: nothing about injection changes.
 * The run goes through `db.executeQuery`, i.e. the same connection handling and plugins as
 * a builder's `execute()` (a request's unit of work included); on SQLite, database.ts then
 * reuses the prepared statement.
 */
export class PreparedQuery<Row, Name extends string> {
  private readonly compiled: CompiledQuery<Row>;
  /** Per compiled parameter: the name whose value goes there, or a constant of the query. */
  private readonly slots: readonly ({ readonly name: Name } | { readonly value: unknown })[];

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    names: readonly Name[],
    build: (db: Kysely<DatabaseSchema>, param: (name: Name) => string) => Compilable<Row>,
  ) {
    this.compiled = build(db, marker).compile();
    const byMarker = new Map(names.map((name) => [marker(name), name]));
    this.slots = this.compiled.parameters.map((value) => {
      const name = typeof value === 'string' ? byMarker.get(value) : undefined;
      return name === undefined ? { value } : { name };
    });
    const bound = new Set(this.slots.flatMap((s) => ('name' in s ? [s.name] : [])));
    const unused = names.filter((n) => !bound.has(n));
    if (unused.length > 0) throw new Error(`PreparedQuery: parameter ${unused.join(', ')} not in the compiled query`);
  }

  /** Every row, with these values bound. */
  async all(values: Readonly<Record<Name, string | number>>): Promise<Row[]> {
    const parameters = this.slots.map((slot) => ('name' in slot ? values[slot.name] : slot.value));
    const result = await this.db.executeQuery<Row>({ ...this.compiled, parameters });
    return result.rows;
  }

  /** The first row, or undefined. */
  async first(values: Readonly<Record<Name, string | number>>): Promise<Row | undefined> {
    return (await this.all(values))[0];
  }
}
