// Spaces in a real browser: list, create, delete; messages read page by page, posted and
// deleted; members and roles (added, changed, removed); a read-only share link opened in a
// fresh browser with no login, then revoked. A message carrying markup (<img onerror>,
// <script>) stays inert text. Every state-changing request the page makes carries X-CSRF-Token.
import { BROWSER_SUITE } from '../helpers/virtualAuthenticator.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page, Request } from 'playwright-core';
import { call, passwordFor, userWithToken } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { errorText, openLab, screenshot, signIn, uiOrigin, waitForDom, type Lab } from './browser.ts';

const XSS = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';

describe('browser UI: spaces, messages, members and share links', BROWSER_SUITE, () => {
  let server: TestServer;
  let lab: Lab;
  let origin: string;
  let page: Page;
  let alice: { token: string };
  let bob: { token: string };
  let spaceId = '';
  let shareUrl = '';

  before(async () => {
    [server, lab] = await Promise.all([startTestServer({ listen: true }), openLab()]);
    origin = uiOrigin(server.url);
    alice = await userWithToken(server.app.fastify, 'alice');
    bob = await userWithToken(server.app.fastify, 'bob');
    ({ page } = await lab.newPage());
    await signIn(page, origin, 'alice', passwordFor('alice'));
    await page.locator('#sign-out').waitFor();
  });
  after(async () => {
    await lab?.close();
    await server?.close();
  });

  const createSpace = async (name: string) => {
    await page.locator('#space-create').getByPlaceholder('Space name').fill(name);
    await page.locator('#space-create').getByRole('button', { name: 'Create' }).click();
    await page.locator('#space-detail h2', { hasText: name }).waitFor();
  };
  const messages = () => page.locator('#messages li.message');

  it('creates spaces and lists them', async () => {
    await createSpace('Scratch');
    await createSpace('Project X');
    assert.deepEqual(await page.locator('#space-list button').allTextContents(), ['Project X', 'Scratch']);
    const listed = await call(server.app.fastify, 'GET', '/v1/spaces', { token: alice.token });
    spaceId = listed.json.items.find((s: { name: string }) => s.name === 'Project X').id;
  });

  it('posts a message and shows markup in it as inert text', async () => {
    const post = page.locator('#messages-post');
    await post.getByPlaceholder('Write a message').fill('hello world');
    await post.getByRole('button', { name: 'Send' }).click();
    await messages().filter({ hasText: 'hello world' }).waitFor();
    await post.getByPlaceholder('Write a message').fill(XSS);
    await post.getByRole('button', { name: 'Send' }).click();
    const shown = page.locator('#messages li.message .text').first();
    await shown.filter({ hasText: '<script>' }).waitFor();
    assert.equal(await shown.textContent(), XSS);
    assert.equal(await page.locator('#messages img, #messages script').count(), 0);
    assert.equal(await page.evaluate('window.pwned'), undefined);
    await screenshot(page, 'spaces');
  });

  it('reads messages page by page', async () => {
    for (let i = 1; i <= 25; i++) {
      const res = await call(server.app.fastify, 'POST', `/v1/spaces/${spaceId}/messages`, { token: alice.token, body: { text: `seeded ${i}` } });
      assert.equal(res.status, 201);
    }
    await page.locator('#space-list').getByRole('button', { name: 'Project X' }).click();
    await messages().filter({ hasText: 'seeded 25' }).waitFor();
    assert.equal(await messages().count(), 20);
    await page.getByRole('button', { name: 'Older messages' }).click();
    await messages().filter({ hasText: 'hello world' }).waitFor();
    assert.equal(await messages().count(), 27);
    assert.equal(await page.getByRole('button', { name: 'Older messages' }).count(), 0);
  });

  it('deletes a message', async () => {
    await messages().filter({ hasText: 'hello world' }).getByRole('button', { name: 'Delete' }).click();
    await messages().filter({ hasText: 'hello world' }).waitFor({ state: 'detached' });
    const left = await call(server.app.fastify, 'GET', `/v1/spaces/${spaceId}/messages?limit=100`, { token: alice.token });
    assert.ok(!left.json.items.some((m: { text: string }) => m.text === 'hello world'));
  });

  it('adds a member and changes their role', async () => {
    const add = page.locator('#member-add');
    await add.getByPlaceholder('Username').fill('bob');
    await add.getByLabel('Role').selectOption('reader');
    await add.getByRole('button', { name: 'Add' }).click();
    const bob = page.locator('#members li', { hasText: 'bob' });
    await bob.waitFor();
    // The select changes at once; the role is stored when the PUT it sends has been answered.
    const [saved] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/members/bob') && r.request().method() === 'PUT'),
      bob.getByLabel('Role').selectOption('member'),
    ]);
    assert.equal(saved.status(), 200);
    const members = await call(server.app.fastify, 'GET', `/v1/spaces/${spaceId}/members`, { token: alice.token });
    assert.deepEqual(members.json.find((m: { username: string }) => m.username === 'bob'), { username: 'bob', role: 'member' });
  });

  it('removes a member: they can no longer read the space', async () => {
    const asBob = (path: string) => call(server.app.fastify, 'GET', path, { token: bob.token });
    assert.equal((await asBob(`/v1/spaces/${spaceId}/messages`)).status, 200, 'bob reads the space while a member');
    const row = page.locator('#members li', { hasText: 'bob' });
    const [removed] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/v1/spaces/${spaceId}/members/bob`) && r.request().method() === 'DELETE'),
      row.getByRole('button', { name: 'Remove' }).click(),
    ]);
    assert.equal(removed.status(), 204);
    // The space is drawn again from the server (the old list goes first, the new one comes
    // after its requests): wait for the new list itself, without bob, with alice (owner) still there.
    const NAMES = `[...document.querySelectorAll('#members li > span.grow')].map((s) => s.textContent)`;
    if (!(await waitForDom(page, `JSON.stringify(${NAMES}) === '["alice"]'`))) {
      assert.deepEqual(await page.evaluate(NAMES), ['alice'], 'the members list drawn again without bob');
    }
    assert.equal(await row.count(), 0);
    assert.equal(await page.locator('#error').isVisible(), false);
    const members = await call(server.app.fastify, 'GET', `/v1/spaces/${spaceId}/members`, { token: alice.token });
    assert.deepEqual(members.json, [{ username: 'alice', role: 'owner' }]);
    // Not a member any more: the space is invisible to him (404, its existence not revealed).
    for (const path of [`/v1/spaces/${spaceId}`, `/v1/spaces/${spaceId}/messages`, `/v1/spaces/${spaceId}/members`]) {
      const res = await asBob(path);
      assert.equal(res.status, 404, path);
      assert.equal(res.json.code, 'not_found', path);
    }
    assert.deepEqual((await asBob('/v1/spaces')).json.items, []);
  });

  it('shares the space read-only: a fresh browser with no login reads it', async () => {
    await page.locator('#share-create').getByRole('button', { name: 'Create link' }).click();
    shareUrl = await page.locator('#share-url').inputValue();
    assert.match(shareUrl, new RegExp(`^${origin}/#cap=.+&space=.+`));
    const visitor = await lab.newPage();
    await visitor.page.goto(shareUrl);
    await visitor.page.locator('#shared-messages li.message', { hasText: 'seeded 25' }).waitFor();
    await visitor.page.getByRole('button', { name: 'Older messages' }).click();
    await visitor.page.locator('#shared-messages li.message', { hasText: '<script>' }).waitFor();
    assert.equal(await visitor.page.locator('#shared-messages img, #shared-messages script').count(), 0);
    assert.equal(await visitor.page.locator('form').count(), 0, 'read-only: nothing to post or delete with');
    assert.equal(await visitor.page.evaluate('localStorage.length + sessionStorage.length'), 0);
    assert.deepEqual(await visitor.context.cookies(), []);
    await screenshot(visitor.page, 'shared');
    await visitor.context.close();
  });

  it('revokes the share link: the next visitor is told so', async () => {
    await page.locator('#capabilities li').getByRole('button', { name: 'Revoke' }).click();
    await page.locator('#capabilities li', { hasText: 'revoked' }).waitFor();
    const visitor = await lab.newPage();
    await visitor.page.goto(shareUrl);
    assert.match(await errorText(visitor.page), /expired or has been revoked/);
    await visitor.context.close();
  });

  it('deletes a space', async () => {
    await page.locator('#space-list').getByRole('button', { name: 'Scratch' }).click();
    await page.locator('#space-detail h2', { hasText: 'Scratch' }).waitFor();
    await page.getByRole('button', { name: 'Delete this space' }).click();
    await page.locator('#space-list button', { hasText: 'Scratch' }).waitFor({ state: 'detached' });
    const listed = await call(server.app.fastify, 'GET', '/v1/spaces', { token: alice.token });
    assert.deepEqual(listed.json.items.map((s: { name: string }) => s.name), ['Project X']);
  });

  it('sends X-CSRF-Token with every state-changing request it makes', async () => {
    const csrf = await page.context().request.get(`${origin}/v1/sessions/current/csrf`);
    assert.equal(csrf.status(), 200);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    assert.ok(csrfToken.length > 0);
    // Every request the page makes to the API that is not a GET, with its X-CSRF-Token header.
    const seen: Promise<{ call: string; token: string | null }>[] = [];
    const record = (request: Request) => {
      const url = new URL(request.url());
      if (url.origin !== origin || !url.pathname.startsWith('/v1/') || ['GET', 'HEAD'].includes(request.method())) return;
      seen.push(request.headerValue('x-csrf-token').then((token) => ({ call: `${request.method()} ${url.pathname}`, token })));
    };
    page.on('request', record);
    try {
      await createSpace('Forms');
      const post = page.locator('#messages-post');
      await post.getByPlaceholder('Write a message').fill('short-lived');
      await post.getByRole('button', { name: 'Send' }).click();
      await messages().filter({ hasText: 'short-lived' }).waitFor();
      await messages().filter({ hasText: 'short-lived' }).getByRole('button', { name: 'Delete' }).click();
      await messages().filter({ hasText: 'short-lived' }).waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Delete this space' }).click();
      await page.locator('#space-list button', { hasText: 'Forms' }).waitFor({ state: 'detached' });
    } finally {
      page.off('request', record);
    }
    const calls = await Promise.all(seen);
    const id = '[A-Za-z0-9_-]+';
    const expected = [/^POST \/v1\/spaces$/, new RegExp(`^POST /v1/spaces/${id}/messages$`), new RegExp(`^DELETE /v1/spaces/${id}/messages/${id}$`), new RegExp(`^DELETE /v1/spaces/${id}$`)];
    assert.equal(calls.length, expected.length, `the flow's state changes: ${calls.map((c) => c.call).join(', ')}`);
    calls.forEach((c, i) => assert.match(c.call, expected[i]!));
    for (const c of calls) assert.equal(c.token, csrfToken, `${c.call} carries the session’s X-CSRF-Token`);
    const listed = await call(server.app.fastify, 'GET', '/v1/spaces', { token: alice.token });
    assert.deepEqual(listed.json.items.map((s: { name: string }) => s.name), ['Project X']);
  });

  it('saw no Content-Security-Policy violation and no page error', () => {
    assert.deepEqual(lab.problems, []);
  });
});
