import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * One request's database work as one transaction, so that a state change and the audit
 * record that describes it commit together or not at all (issue 5, "nothing lost, nothing
 * unrecorded").
 *
 * Kysely has no ambient transactions, and passing a transaction through every repository
 * would reshape the whole application for one cross-cutting rule, so the rule lives in the
 * driver instead: inside `UnitOfWorkScope.run`, queries go through the request's
 * `UnitOfWork`. Reads go to the pool as usual until the request first writes; the first write
 * begins the transaction (SQLite: BEGIN IMMEDIATE, taking the write lock up front), and from
 * then on every query of the request runs in it, so it reads its own writes. Repositories
 * that open their own transaction (`db.transaction()`) get a savepoint inside it. The
 * pipeline commits the unit of work with the outcome record as its last statement
 * (src/pipeline/audit), or rolls it back.
 *
 * Work started from a request but meant to outlive it (the audit writer's batches) must run
 * through `detached`, or it would join the request's transaction.
 */
export class UnitOfWorkScope {
  private readonly storage = new AsyncLocalStorage<UnitOfWork>();
  private driver: Driver | undefined;

  /** The statement that begins a unit's transaction (dialect-specific). */
  private begin = 'begin';
  private statementSavepoints = false;

  /**
   * Wraps a dialect so that its driver honours this scope. `statementSavepoints`: for
   * PostgreSQL, where one failed statement aborts the whole transaction ("current transaction
   * is aborted"), each statement of a unit runs under its own savepoint, so a failed one
   * (a unique violation the handler answers with 409) has no effect and the unit goes on, as
   * in SQLite and as with autocommit.
   */
  wrap(dialect: Dialect, begin: string, options: { statementSavepoints?: boolean } = {}): Dialect {
    this.begin = begin;
    this.statementSavepoints = options.statementSavepoints ?? false;
    return {
      createAdapter: () => dialect.createAdapter(),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createIntrospector: (db) => dialect.createIntrospector(db),
      createDriver: () => {
        const inner = dialect.createDriver();
        this.driver = inner;
        return new UnitOfWorkDriver(inner, this.storage);
      },
    };
  }

  /** A new unit of work, not yet begun (it begins at the first write). */
  create(): UnitOfWork {
    if (!this.driver) throw new Error('unit of work: the database has not been opened through this scope');
    return new UnitOfWork(this.driver, this.begin, this.statementSavepoints);
  }

  /** Runs `fn` with `unit` as the ambient unit of work of every query it makes. */
  run<T>(unit: UnitOfWork, fn: () => T): T {
    return this.storage.run(unit, fn);
  }

  /** Runs `fn` outside any request's unit of work (for work that outlives the request). */
  detached<T>(fn: () => T): T {
    return this.storage.exit(fn);
  }

}

/** The state of one request's transaction. */
export class UnitOfWork {
  private state: 'idle' | 'open' | 'finished' = 'idle';
  private opening: Promise<DatabaseConnection> | undefined;
  private connection: DatabaseConnection | undefined;
  private savepoints = 0;

  /** Statements of the unit's transaction, one after another (see `inTransaction`). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly driver: Driver, private readonly begin: string, private readonly statementSavepoints = false) {}

  /**
   * Runs one statement in the unit's transaction (beginning it if needed). Statements are
   * serialized, so that each one's savepoint (PostgreSQL) brackets that statement alone.
   */
  inTransaction<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const run = async () => {
      const connection = await this.transactionConnection();
      if (!this.statementSavepoints) return connection.executeQuery<R>(query);
      await connection.executeQuery(CompiledQuery.raw('savepoint gh_statement'));
      try {
        const result = await connection.executeQuery<R>(query);
        await connection.executeQuery(CompiledQuery.raw('release savepoint gh_statement'));
        return result;
      } catch (err) {
        await connection.executeQuery(CompiledQuery.raw('rollback to savepoint gh_statement'));
        await connection.executeQuery(CompiledQuery.raw('release savepoint gh_statement'));
        throw err;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** True once the request has written (its transaction is open and must be finished). */
  get isOpen(): boolean {
    return this.state === 'open' || (this.state === 'idle' && this.opening !== undefined);
  }

  /** True once committed or rolled back: later queries of the request run on their own. */
  get isFinished(): boolean {
    return this.state === 'finished';
  }

  /** The transaction's connection, beginning the transaction on first use. */
  transactionConnection(): Promise<DatabaseConnection> {
    if (this.state === 'finished') return Promise.reject(new Error('unit of work already finished'));
    this.opening ??= (async () => {
      const connection = await this.driver.acquireConnection();
      try {
        await connection.executeQuery(CompiledQuery.raw(this.begin));
      } catch (err) {
        this.state = 'finished';
        await this.driver.releaseConnection(connection);
        throw err;
      }
      this.connection = connection;
      this.state = 'open';
      return connection;
    })();
    return this.opening;
  }

  /** Runs `statement` in the transaction (e.g. the outcome record's insert), then commits. */
  async commit(lastStatement?: CompiledQuery): Promise<void> {
    const connection = await this.settle();
    if (!connection) return;
    try {
      if (lastStatement) await connection.executeQuery(lastStatement);
      await connection.executeQuery(CompiledQuery.raw('commit'));
    } catch (err) {
      await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
      throw err;
    } finally {
      this.state = 'finished';
      await this.driver.releaseConnection(connection);
    }
  }

  /** Undoes everything the request wrote. */
  async rollback(): Promise<void> {
    const connection = await this.settle();
    if (!connection) return;
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    } finally {
      this.state = 'finished';
      await this.driver.releaseConnection(connection);
    }
  }

  /** Waits for a transaction being begun; undefined when there is nothing to finish. */
  private async settle(): Promise<DatabaseConnection | undefined> {
    await this.queue; // a statement still running finishes first
    if (this.state === 'finished') return undefined;
    if (!this.opening) {
      this.state = 'finished';
      return undefined;
    }
    try {
      return await this.opening;
    } catch {
      return undefined; // BEGIN failed: the request's writes already failed with it
    }
  }

  /** A nested `db.transaction()` inside the request: a savepoint in the unit's transaction. */
  async savepoint(): Promise<string> {
    const name = `gh_uow_${++this.savepoints}`;
    await this.control(`savepoint ${name}`);
    return name;
  }

  async releaseSavepoint(name: string): Promise<void> {
    await this.control(`release savepoint ${name}`);
  }

  async rollbackToSavepoint(name: string): Promise<void> {
    await this.control(`rollback to savepoint ${name}`);
    await this.control(`release savepoint ${name}`);
  }

  /** A transaction-control statement, in the unit's statement order, never under a statement savepoint. */
  private control(statement: string): Promise<unknown> {
    const run = async () => (await this.transactionConnection()).executeQuery(CompiledQuery.raw(statement));
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** Reads run on a pooled connection until the request has written; writes need the transaction. */
function isRead(query: CompiledQuery): boolean {
  return query.query.kind === 'SelectQueryNode';
}

/** What Kysely gets as "a connection" inside a unit of work. */
class UnitOfWorkConnection implements DatabaseConnection {
  /** Savepoints of `db.transaction()` calls open on this handle, innermost last. */
  readonly savepoints: string[] = [];

  constructor(readonly unit: UnitOfWork, private readonly inner: Driver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.unit.isFinished) return this.onItsOwn((c) => c.executeQuery<R>(query));
    if (!this.unit.isOpen && this.savepoints.length === 0 && isRead(query)) return this.onItsOwn((c) => c.executeQuery<R>(query));
    return this.unit.inTransaction<R>(query);
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    const connection = this.unit.isFinished ? undefined : await this.unit.transactionConnection();
    if (connection) {
      yield* connection.streamQuery<R>(query, chunkSize);
      return;
    }
    const own = await this.inner.acquireConnection();
    try {
      yield* own.streamQuery<R>(query, chunkSize);
    } finally {
      await this.inner.releaseConnection(own);
    }
  }

  private async onItsOwn<T>(work: (connection: DatabaseConnection) => Promise<T>): Promise<T> {
    const connection = await this.inner.acquireConnection();
    try {
      return await work(connection);
    } finally {
      await this.inner.releaseConnection(connection);
    }
  }
}

class UnitOfWorkDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly storage: AsyncLocalStorage<UnitOfWork>,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const unit = this.storage.getStore();
    if (!unit || unit.isFinished) return this.inner.acquireConnection();
    return new UnitOfWorkConnection(unit, this.inner);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof UnitOfWorkConnection) return;
    return this.inner.releaseConnection(connection);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (connection instanceof UnitOfWorkConnection) {
      connection.savepoints.push(await connection.unit.savepoint());
      return;
    }
    return this.inner.beginTransaction(connection, settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof UnitOfWorkConnection) return connection.unit.releaseSavepoint(connection.savepoints.pop()!);
    return this.inner.commitTransaction(connection);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof UnitOfWorkConnection) return connection.unit.rollbackToSavepoint(connection.savepoints.pop()!);
    return this.inner.rollbackTransaction(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.savepoint!(await this.target(connection), name, compile);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.rollbackToSavepoint!(await this.target(connection), name, compile);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.releaseSavepoint!(await this.target(connection), name, compile);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  private target(connection: DatabaseConnection): Promise<DatabaseConnection> | DatabaseConnection {
    return connection instanceof UnitOfWorkConnection ? connection.unit.transactionConnection() : connection;
  }
}
