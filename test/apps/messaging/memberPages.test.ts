// Keyset pages of GET /v1/spaces/{spaceId}/members. The body stays a bare array (API.md); a
// page with more after it carries `Link: </v1/spaces/{id}/members?limit=…&cursor=…>; rel="next"`
// (RFC 8288), the last page none. A cursor is a position in username order, never a grant: a
// cursor the server did not give out is a 400 on "cursor", and access control runs on every page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeTokenCursor } from '../../../src/accounts/tokenCursor.ts';
import { call, userWithToken, nextLink } from '../../helpers/api.ts';
import { startTestServer, type TestServer } from '../../helpers/testServer.ts';

const EXTRA_MEMBERS = 249; // and the owner: 250
const name = (i: number) => `p${String(i).padStart(3, '0')}`;

describe('keyset pages: GET /v1/spaces/{spaceId}/members', () => {
  let server: TestServer;
  let owner: { token: string; username: string };
  let bob: { token: string; username: string; id: string };
  let bigSpace: string;
  let bobSpace: string;
  const get = (path: string, token = owner.token) => call(server, 'GET', path, { token });

  /** Every page from `path` on, following rel="next". */
  async function walk(path: string, token = owner.token, between?: (page: number) => Promise<void>) {
    const pages: { usernames: string[]; link: string | undefined }[] = [];
    for (let next: string | undefined = path; next !== undefined;) {
      const res = await get(next, token);
      assert.equal(res.status, 200, res.body);
      assert.ok(Array.isArray(res.json), 'the body is still a bare array');
      next = nextLink(res.headers);
      pages.push({ usernames: res.json.map((m: { username: string }) => m.username), link: next });
      assert.ok(pages.length <= 10, 'the pages end');
      if (next !== undefined) await between?.(pages.length);
    }
    return pages;
  }

  async function addMembers(spaceId: string, usernames: string[]) {
    const db = server.database.db;
    const users = usernames.map((u) => ({ id: `u-pages-${u}`, username: u, password_hash: 'not-a-login', is_admin: 0, disabled: 0, created_at: 0 }));
    await db.insertInto('users').values(users).execute();
    await db.insertInto('space_members').values(users.map((u) => ({ space_id: spaceId, user_id: u.id, role: 'member', added_at: 0 }))).execute();
  }

  before(async () => {
    server = await startTestServer({ listen: true });
    owner = await userWithToken(server, 'owner');
    bob = await userWithToken(server, 'bob');
    bigSpace = (await call(server, 'POST', '/v1/spaces', { token: owner.token, body: { name: 'Crowded' } })).json.id;
    bobSpace = (await call(server, 'POST', '/v1/spaces', { token: bob.token, body: { name: 'Bob’s' } })).json.id;
    // Rows written directly: these members never log in, and 249 password hashes would only be slow.
    await addMembers(bigSpace, Array.from({ length: EXTRA_MEMBERS }, (_, i) => name(i)));
    await addMembers(bobSpace, ['q000', 'q001', 'q002', 'q003']);
  });
  after(() => server.close());

  it('walks 250 members in 3 pages of 100: each exactly once, in username order, Link on all but the last', async () => {
    const pages = await walk(`/v1/spaces/${bigSpace}/members`);
    assert.deepEqual(pages.map((p) => p.usernames.length), [100, 100, 50]);
    assert.deepEqual(pages.map((p) => p.link !== undefined), [true, true, false], 'Link rel="next" on pages 1 and 2 only');
    for (const page of pages.slice(0, 2)) {
      assert.match(page.link!, new RegExp(`^/v1/spaces/${bigSpace}/members\\?limit=100&cursor=[A-Za-z0-9_%-]+$`), 'the path called, with the limit in force');
    }
    const all = pages.flatMap((p) => p.usernames);
    const expected = ['owner', ...Array.from({ length: EXTRA_MEMBERS }, (_, i) => name(i))];
    assert.deepEqual(all, expected, 'every member once, in username order');
  });

  it('keeps the position, not an offset: a member added between pages appears once if after the cursor, and nobody repeats', async () => {
    const added = ['aaa-early', 'p150x'];
    try {
      const pages = await walk(`/v1/spaces/${bigSpace}/members?limit=100`, owner.token, async (page) => {
        if (page === 1) await addMembers(bigSpace, added);
      });
      const all = pages.flatMap((p) => p.usernames);
      assert.equal(new Set(all).size, all.length, 'nobody repeated');
      assert.ok(!all.includes('aaa-early'), 'added before the cursor: on no later page');
      const expected = ['owner', ...Array.from({ length: EXTRA_MEMBERS }, (_, i) => name(i))];
      expected.splice(expected.indexOf('p150') + 1, 0, 'p150x');
      assert.deepEqual(all, expected, 'added after the cursor: in its place');
    } finally {
      await server.database.db.deleteFrom('space_members').where('user_id', 'in', added.map((u) => `u-pages-${u}`)).execute();
    }
  });

  it('answers a limit that fits the whole list with no Link', async () => {
    const res = await get(`/v1/spaces/${bigSpace}/members?limit=250`);
    assert.equal(res.json.length, 250);
    assert.equal(res.headers.link, undefined);
  });

  it('refuses a cursor it did not give out: 400 problem+json, invalid_request on "cursor"', async () => {
    const first = await get(`/v1/spaces/${bigSpace}/members?limit=2`);
    const real = new URLSearchParams(nextLink(first.headers)!.split('?')[1]).get('cursor')!;
    await call(server, 'POST', '/v1/spaces/' + bigSpace + '/messages', { token: owner.token, body: { text: 'one' } });
    await call(server, 'POST', '/v1/spaces/' + bigSpace + '/messages', { token: owner.token, body: { text: 'two' } });
    const messagesPage = await get(`/v1/spaces/${bigSpace}/messages?limit=1`);
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const bad: Record<string, string | undefined> = {
      garbage: 'not a cursor!',
      'base64 of nothing we write': b64('hello'),
      'without the end mark': b64('member:p000'),
      'padded (not the spelling we write)': `${real}=`,
      'a username registration refuses': b64('member:Robert'),
      'a members cursor with a trailing newline': b64('member:p000\n'),
      'a messages cursor': messagesPage.json.nextCursor,
      'a tokens cursor': encodeTokenCursor({ createdAt: Date.now(), id: 'AAAAAAAAAAAAAAAA' }),
      'over-long': 'A'.repeat(65),
    };
    for (let cut = 1; cut < real.length; cut++) bad[`cut to ${cut} characters`] = real.slice(0, cut);
    for (const [what, cursor] of Object.entries(bad)) {
      assert.ok(cursor, `${what}: a cursor to try`);
      const res = await get(`/v1/spaces/${bigSpace}/members?cursor=${encodeURIComponent(cursor)}`);
      assert.equal(res.status, 400, `${what}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, what);
      assert.equal(res.json.code, 'invalid_request', what);
      assert.equal(res.json.field, 'cursor', what);
    }
    const ok = await get(`/v1/spaces/${bigSpace}/members?limit=2&cursor=${real}`);
    assert.equal(ok.status, 200, 'the real one still works');
    assert.deepEqual(ok.json.map((m: { username: string }) => m.username), ['p001', 'p002']);
  });

  it('a cursor is no grant: another space’s cursor shows only that space’s own members, or nothing to an outsider', async () => {
    const first = await get(`/v1/spaces/${bigSpace}/members?limit=2`);
    const cursor = new URLSearchParams(nextLink(first.headers)!.split('?')[1]).get('cursor')!;
    // Bob is in neither list of the big space: its cursor gets him nothing there.
    const outsider = await get(`/v1/spaces/${bigSpace}/members?cursor=${cursor}`, bob.token);
    assert.equal(outsider.status, 404, outsider.body);
    assert.ok(!Array.isArray(outsider.json));
    // In his own space the same cursor is only a position among his space's members.
    const own = await walk(`/v1/spaces/${bobSpace}/members?limit=2&cursor=${cursor}`, bob.token);
    assert.deepEqual(own.flatMap((p) => p.usernames), ['q000', 'q001', 'q002', 'q003'], 'bob’s space after "p000": none of the big space’s members');
    // And a cursor from his space, used on the big space, is refused there as before.
    const bobFirst = await get(`/v1/spaces/${bobSpace}/members?limit=1`, bob.token);
    const res = await get(nextLink(bobFirst.headers)!.replace(bobSpace, bigSpace), bob.token);
    assert.equal(res.status, 404);
  });
});
