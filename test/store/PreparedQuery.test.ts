// PreparedQuery (src/server/PreparedQuery.ts): a query compiled once gives what the same
// Kysely builder gives on every call, with values bound by name wherever they land in the SQL,
// constants of the query kept, and hostile values still bound as values. Runs on SQLite and
// PostgreSQL (npm run test:postgres).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../../src/store/database.ts';
import { PreparedQuery } from '../../src/store/PreparedQuery.ts';
import { openTestDatabase } from '../helpers/testDatabase.ts';

describe('PreparedQuery', () => {
  let database: Database;
  before(async () => {
    database = await openTestDatabase();
    await database.db.insertInto('users').values([
      { id: 'u1', username: 'alice', password_hash: 'x', is_admin: 0, disabled: 0, created_at: 1 },
      { id: 'u2', username: "bob'; drop table users; --", password_hash: 'x', is_admin: 0, disabled: 0, created_at: 2 },
    ]).execute();
    await database.db.insertInto('spaces').values({ id: 's1', name: 'one', created_at: 1 }).execute();
    await database.db.insertInto('space_members').values([
      { space_id: 's1', user_id: 'u1', role: 'owner', added_at: 1 },
      { space_id: 's1', user_id: 'u2', role: 'reader', added_at: 2 },
    ]).execute();
  });
  after(() => database.close());

  it('binds named values in the order the compiled SQL needs them, keeping the query’s own constants', async () => {
    // userId is used before spaceId in the SQL, and 'owner' is a constant of the query.
    const ownerOf = new PreparedQuery(database.db, ['spaceId', 'userId'], (db, param) => db
      .selectFrom('space_members')
      .select('role')
      .where('user_id', '=', param('userId'))
      .where('role', '=', 'owner')
      .where('space_id', '=', param('spaceId')));
    assert.deepEqual(await ownerOf.all({ spaceId: 's1', userId: 'u1' }), [{ role: 'owner' }]);
    assert.deepEqual(await ownerOf.all({ spaceId: 's1', userId: 'u2' }), []);
    assert.equal(await ownerOf.first({ spaceId: 'nope', userId: 'u1' }), undefined);
  });

  it('gives what the builder gives, for ordinary and hostile values alike', async () => {
    const byName = new PreparedQuery(database.db, ['name'], (db, param) =>
      db.selectFrom('users').select(['id', 'username']).where('username', '=', param('name')));
    for (const name of ['alice', "bob'; drop table users; --", "' OR '1'='1", '%', '']) {
      const expected = await database.db.selectFrom('users').select(['id', 'username']).where('username', '=', name).execute();
      assert.deepEqual(await byName.all({ name }), expected, name);
    }
    assert.equal((await database.db.selectFrom('users').select('id').execute()).length, 2);
  });

  it('refuses a declared parameter the query does not use', () => {
    assert.throws(
      () => new PreparedQuery(database.db, ['id', 'unused'], (db, param) => db.selectFrom('users').select('id').where('id', '=', param('id'))),
      /parameter unused not in the compiled query/,
    );
  });
});
