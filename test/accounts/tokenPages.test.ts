// Keyset pages of GET /v1/tokens, newest first. The body stays `{items}`; a page with more after
// it carries `Link: </v1/tokens?limit=…&cursor=…>; rel="next"` (RFC 8288), the last page none.
// The order is (created_at desc, id desc): tokens issued in the same millisecond are told apart
// by their id, so none is skipped or repeated across pages. A cursor is a position, never a
// grant: every page lists only the caller's tokens, and a cursor the server did not give out
// is a 400 on "cursor".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeMemberCursor } from '../../src/apps/messaging/memberCursor.ts';
import { basicAuth, call, passwordFor, userWithToken, nextLink } from '../helpers/api.ts';
import { fakeClock, startTestServer, type TestServer } from '../helpers/testServer.ts';

interface TokenItem { id: string; name: string; createdAt: string }

const cursorOf = (link: string) => new URLSearchParams(link.split('?')[1]).get('cursor')!;

describe('keyset pages: GET /v1/tokens', () => {
  const clock = fakeClock();
  let server: TestServer;
  let holder: { token: string; username: string; id: string };
  let other: { token: string; username: string; id: string };
  const otherIds: string[] = [];
  const get = (path: string, token = holder.token) => call(server, 'GET', path, { token });

  async function issue(user: { username: string }, name: string): Promise<string> {
    const res = await call(server, 'POST', '/v1/tokens', { headers: { authorization: basicAuth(user.username, passwordFor(user.username)) }, body: { name } });
    assert.equal(res.status, 201, res.body);
    return res.json.id;
  }

  /** Every page from `path` on, following rel="next". */
  async function walk(path: string, token = holder.token) {
    const pages: { items: TokenItem[]; link: string | undefined }[] = [];
    for (let next: string | undefined = path; next !== undefined;) {
      const res = await get(next, token);
      assert.equal(res.status, 200, res.body);
      next = nextLink(res.headers);
      pages.push({ items: res.json.items, link: next });
      assert.ok(pages.length <= 10, 'the pages end');
    }
    return pages;
  }

  before(async () => {
    server = await startTestServer({ listen: true, clock });
    // Another user's tokens, a minute older than any of the holder's: a position in the
    // holder's list lies after all of them, so a cursor that leaked across users would show them.
    other = await userWithToken(server, 'other');
    otherIds.push(...(await get('/v1/tokens', other.token)).json.items.map((t: TokenItem) => t.id));
    otherIds.push(await issue(other, 'o1'));
    clock.advance(60_000);
    // The clock stands still: "test" and a1, a2 share one millisecond, b1…b4 the next one.
    holder = await userWithToken(server, 'holder');
    for (const name of ['a1', 'a2']) await issue(holder, name);
    clock.advance(1);
    for (const name of ['b1', 'b2', 'b3', 'b4']) await issue(holder, name);
  });
  after(() => server.close());

  it('walks 7 tokens in pages of 3, newest first, each once, with same-millisecond tokens ordered by id', async () => {
    const pages = await walk('/v1/tokens?limit=3');
    assert.deepEqual(pages.map((p) => p.items.length), [3, 3, 1]);
    assert.deepEqual(pages.map((p) => p.link !== undefined), [true, true, false], 'Link rel="next" on pages 1 and 2 only');
    for (const page of pages.slice(0, 2)) assert.match(page.link!, /^\/v1\/tokens\?limit=3&cursor=[A-Za-z0-9_%-]+$/);
    const all = pages.flatMap((p) => p.items);
    assert.deepEqual(all.map((t) => t.name).sort(), ['a1', 'a2', 'b1', 'b2', 'b3', 'b4', 'test']);
    assert.equal(new Set(all.map((t) => t.id)).size, 7, 'no token twice');
    assert.deepEqual(all.map((t) => t.name.slice(0, 1)).map((c) => (c === 'b' ? 'b' : 'a')), ['b', 'b', 'b', 'b', 'a', 'a', 'a'], 'newest millisecond first');
    // Within a millisecond, the database's own order of ids (one page) is the order across pages.
    const onePage = (await get('/v1/tokens?limit=500')).json.items as TokenItem[];
    assert.equal(nextLink((await get('/v1/tokens?limit=7')).headers), undefined, 'a page that holds all has no Link');
    assert.deepEqual(all.map((t) => t.id), onePage.map((t) => t.id));
  });

  it('orders tokens of one millisecond by id, whatever order they were written in', async () => {
    const twin = await userWithToken(server, 'twin');
    // Written out of order, so that neither insertion order nor its reverse is the id order.
    const ties = ['tie-c', 'tie-a', 'tie-d', 'tie-b', 'tie-e'];
    await server.database.db.insertInto('api_tokens').values(ties.map((id) => ({
      id, user_id: twin.id, name: id, secret_hash: 'never-presented', scopes: 'read', created_at: clock() - 1000, expires_at: clock() + 3_600_000, revoked_at: null,
    }))).execute();
    const pages = await walk('/v1/tokens?limit=2', twin.token);
    assert.deepEqual(pages.map((p) => p.items.map((t) => t.name)), [['test', 'tie-e'], ['tie-d', 'tie-c'], ['tie-b', 'tie-a']]);
    assert.deepEqual(pages.map((p) => p.link !== undefined), [true, true, false]);
  });

  it('refuses a cursor it did not give out: 400 problem+json, invalid_request on "cursor"', async () => {
    const real = cursorOf(nextLink((await get('/v1/tokens?limit=1')).headers)!);
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const bad: Record<string, string> = {
      garbage: 'not a cursor!',
      'base64 of nothing we write': b64('hello'),
      'without the end mark': b64('token:1:AAAAAAAAAAAAAAAA'),
      'padded (not the spelling we write)': `${real}=`,
      'a time that is not a number': b64('token:soon:AAAAAAAAAAAAAAAA'),
      'an id with a quote': b64("token:1:abc'--"),
      'a members cursor': encodeMemberCursor('holder'),
      'a messages cursor': b64('m:5'),
      'over-long': 'A'.repeat(129),
    };
    for (let cut = 1; cut < real.length; cut++) bad[`cut to ${cut} characters`] = real.slice(0, cut);
    for (const [what, cursor] of Object.entries(bad)) {
      const res = await get(`/v1/tokens?cursor=${encodeURIComponent(cursor)}`);
      assert.equal(res.status, 400, `${what}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, what);
      assert.equal(res.json.code, 'invalid_request', what);
      assert.equal(res.json.field, 'cursor', what);
    }
    assert.equal((await get(`/v1/tokens?cursor=${real}`)).status, 200, 'the real one still works');
  });

  it('a cursor is no grant: another user’s cursor lists only the caller’s own tokens', async () => {
    // The holder's cursor after their newest token, presented by another user: that user's own
    // tokens after the position (all of them, being older), none of the holder's.
    const holderIds = new Set(((await get('/v1/tokens?limit=500')).json.items as TokenItem[]).map((t) => t.id));
    const link = nextLink((await get('/v1/tokens?limit=1')).headers)!;
    const seenByOther = (await walk(link, other.token)).flatMap((p) => p.items.map((t) => t.id));
    assert.deepEqual([...seenByOther].sort(), [...otherIds].sort(), 'exactly the other user’s own tokens');
    // The other way round: the other user's cursor, presented by the holder, lies after every
    // token of the holder's (all newer) and reaches none of the other user's.
    const theirs = nextLink((await get('/v1/tokens?limit=1', other.token)).headers)!;
    const res = await get(theirs);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json.items, [], 'nothing: the holder has no token older than that position, and sees no one else’s');
    assert.equal(res.headers.link, undefined);
    assert.equal(holderIds.size, 7);
  });
});
