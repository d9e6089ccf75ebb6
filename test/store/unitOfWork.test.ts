// The request unit of work (src/store/unitOfWork.ts), on the suite's database (SQLite, or
// PostgreSQL under npm run test:postgres): what a unit writes is one transaction, committed
// or rolled back as a whole; repositories' own transactions become savepoints inside it;
// reads before the first write do not hold a transaction open; work run detached, or after
// the unit finished, is on its own.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { CompiledQuery } from 'kysely';
import type { Database } from '../../src/store/database.ts';
import type { UnitOfWork } from '../../src/store/unitOfWork.ts';
import { openTestDatabase } from '../helpers/testDatabase.ts';

describe('unit of work', () => {
  let database: Database;
  /** Every unit a test created: one left open by a failing test must not hold its connection (and hang the run). */
  const units: UnitOfWork[] = [];
  const create = () => {
    const unit = database.unitOfWork.create();
    units.push(unit);
    return unit;
  };
  const names = async () => (await database.db.selectFrom('users').select('username').orderBy('username').execute()).map((r) => r.username);
  const addUser = (username: string) =>
    database.db.insertInto('users').values({ id: `id-${username}`, username, password_hash: 'x', is_admin: 0, disabled: 0, created_at: 0 }).execute();

  before(async () => {
    database = await openTestDatabase();
  });
  after(() => database.close());
  beforeEach(() => database.db.deleteFrom('users').execute());
  afterEach(async () => {
    for (const unit of units.splice(0)) await unit.rollback().catch(() => undefined);
  });

  it('commits everything the unit wrote, together', async () => {
    const unit = create();
    await database.unitOfWork.run(unit, async () => {
      await addUser('ada');
      await addUser('bob');
    });
    assert.equal(unit.isOpen, true, 'the first write began the transaction');
    // On PostgreSQL another connection sees nothing yet; SQLite has one connection, which the
    // open unit holds, so other work waits for its commit instead.
    if (database.dialect === 'postgres') assert.deepEqual(await database.unitOfWork.detached(names), [], 'nothing is visible outside before the commit');
    await unit.commit();
    assert.equal(unit.isFinished, true);
    assert.deepEqual(await names(), ['ada', 'bob']);
  });

  it('rolls back everything the unit wrote, and a failing last statement rolls back the whole unit', async () => {
    const rolledBack = create();
    await database.unitOfWork.run(rolledBack, () => addUser('ada'));
    await rolledBack.rollback();
    assert.deepEqual(await names(), []);

    const failing = create();
    await database.unitOfWork.run(failing, () => addUser('bob'));
    await assert.rejects(failing.commit(CompiledQuery.raw('insert into no_such_table values (1)')));
    assert.equal(failing.isFinished, true);
    assert.deepEqual(await names(), [], 'the unit’s earlier write went with it');
  });

  it('reads its own writes, and a reading unit never begins a transaction', async () => {
    await addUser('before');
    const unit = create();
    const seen = await database.unitOfWork.run(unit, async () => {
      const first = await names();
      await addUser('mine');
      return { first, then: await names() };
    });
    await unit.commit();
    assert.deepEqual(seen, { first: ['before'], then: ['before', 'mine'] });

    const reader = create();
    await database.unitOfWork.run(reader, names);
    assert.equal(reader.isOpen, false, 'reads alone need no transaction');
    await reader.commit(); // nothing to commit: settles the unit
    assert.equal(reader.isFinished, true);
  });

  it('a failed statement has no effect and the unit goes on (a unique violation answered with 409)', async () => {
    const unit = create();
    await database.unitOfWork.run(unit, async () => {
      await addUser('ada');
      await assert.rejects(addUser('ada'), /unique|UNIQUE|duplicate/);
      await addUser('bob'); // PostgreSQL would refuse this in an aborted transaction without the statement's savepoint
    });
    await unit.commit();
    assert.deepEqual(await names(), ['ada', 'bob']);
  });

  it('turns a repository’s own transaction into a savepoint: its rollback undoes only its part', async () => {
    const unit = create();
    await database.unitOfWork.run(unit, async () => {
      await addUser('outer');
      await assert.rejects(database.db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values({ id: 'id-inner', username: 'inner', password_hash: 'x', is_admin: 0, disabled: 0, created_at: 0 }).execute();
        throw new Error('repository failure');
      }), /repository failure/);
      await database.db.transaction().execute((trx) =>
        trx.insertInto('users').values({ id: 'id-kept', username: 'kept', password_hash: 'x', is_admin: 0, disabled: 0, created_at: 0 }).execute());
    });
    await unit.commit();
    assert.deepEqual(await names(), ['kept', 'outer']);
  });

  it('work run detached, or after the unit finished, is not part of it', async () => {
    const unit = create();
    let later: (() => Promise<unknown>) | undefined;
    await database.unitOfWork.run(unit, async () => {
      await addUser('in-unit');
      later = () => addUser('after-finish');
    });
    await unit.rollback();
    await database.unitOfWork.run(unit, () => later!()); // the request's context outlives its unit
    const detachedUnit = create();
    await database.unitOfWork.run(detachedUnit, () => database.unitOfWork.detached(() => addUser('detached')));
    await detachedUnit.rollback();
    assert.deepEqual(await names(), ['after-finish', 'detached']);
  });
});
