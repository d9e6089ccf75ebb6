// Contacts and direct messages between two people, each in their own browser; and the
// administrator's screens: users (disable), the audit log with filters, one actor's activity
// over time, and the chain verification status; on a second server with a known history
// (a clock the test moves), every audit filter and a chain tampered with in the database.
import { BROWSER_SUITE } from '../helpers/virtualAuthenticator.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { adminWithToken, basicAuth, call, passwordFor, userWithToken } from '../helpers/api.ts';
import { enableTotp } from '../helpers/mfa.ts';
import { systemClock } from '../../src/clock.ts';
import { fakeClock, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { errorText, openLab, screenshot, signIn, uiOrigin, waitForDom, type Lab } from './browser.ts';

describe('browser UI: contacts, direct messages and administration', BROWSER_SUITE, () => {
  let server: TestServer;
  let lab: Lab;
  let origin: string;
  let carol: Page;
  let dave: Page;
  let root: { token: string };
  let carolToken = '';

  before(async () => {
    [server, lab] = await Promise.all([startTestServer({ listen: true }), openLab()]);
    origin = uiOrigin(server.url);
    carolToken = (await userWithToken(server.app.fastify, 'carol')).token;
    await userWithToken(server.app.fastify, 'dave');
    root = await adminWithToken(server.app.fastify, server.app.accounts, 'root');
    carol = (await lab.newPage()).page;
    dave = (await lab.newPage()).page;
    for (const [page, name] of [[carol, 'carol'], [dave, 'dave']] as const) {
      await signIn(page, origin, name, passwordFor(name));
      await page.locator('#sign-out').waitFor();
      await page.locator('nav').getByRole('button', { name: 'Contacts' }).click();
      await page.locator('#contact-add').waitFor();
    }
  });
  after(async () => {
    await lab?.close();
    await server?.close();
  });

  it('asks to connect, and the other side accepts', async () => {
    await carol.locator('#contact-add').getByPlaceholder('Username').fill('dave');
    await carol.locator('#contact-add').getByRole('button', { name: 'Ask' }).click();
    await carol.locator('#contacts li', { hasText: 'request sent' }).waitFor();
    await dave.locator('nav').getByRole('button', { name: 'Contacts' }).click();
    await dave.locator('#contacts li', { hasText: 'wants to connect' }).getByRole('button', { name: 'Accept' }).click();
    await dave.locator('#contacts li', { hasText: 'connected' }).waitFor();
  });

  it('sends and reads direct messages', async () => {
    await carol.locator('nav').getByRole('button', { name: 'Contacts' }).click();
    await carol.locator('#contacts li', { hasText: 'dave' }).getByRole('button', { name: 'Messages' }).click();
    await carol.locator('#direct-messages-post').getByPlaceholder('Write a message').fill('hi dave <b>bold?</b>');
    await carol.locator('#direct-messages-post').getByRole('button', { name: 'Send' }).click();
    await carol.locator('#direct-messages li.message', { hasText: 'hi dave' }).waitFor();
    await screenshot(carol, 'contacts');

    await dave.locator('#contacts li', { hasText: 'carol' }).getByRole('button', { name: 'Messages' }).click();
    const text = dave.locator('#direct-messages li.message .text');
    await text.first().waitFor();
    assert.equal(await text.first().textContent(), 'hi dave <b>bold?</b>');
    assert.equal(await dave.locator('#direct-messages b').count(), 0);
  });

  it('removes a contact: direct messages are refused from then on', async () => {
    await dave.locator('#contacts li', { hasText: 'carol' }).getByRole('button', { name: 'Remove' }).click();
    await dave.locator('#contacts li').first().waitFor({ state: 'detached' });
    await carol.locator('#direct-messages-post').getByPlaceholder('Write a message').fill('still there?');
    await carol.locator('#direct-messages-post').getByRole('button', { name: 'Send' }).click();
    assert.match(await errorText(carol), /connect|not allowed/i);
    assert.equal(await carol.locator('#direct-messages li.message', { hasText: 'still there?' }).count(), 0);
  });

  it('lets an administrator disable a user', async () => {
    const { page } = await lab.newPage();
    await signIn(page, origin, 'root', passwordFor('root'));
    await page.locator('nav').getByRole('button', { name: 'Administration' }).click();
    await page.locator('#admin-users li', { hasText: 'dave' }).getByRole('button', { name: 'Disable' }).click();
    await page.locator('#admin-users li', { hasText: 'dave' }).getByText('disabled').waitFor();
    const stored = await call(server.app.fastify, 'GET', '/v1/admin/users/dave', { token: root.token });
    assert.equal(stored.json.disabled, true);
    // Dave's session ended with it.
    await dave.reload();
    await dave.locator('#login-form').waitFor();
    await page.close();
  });

  it('lets an administrator reset a user’s second factors', async () => {
    // Carol enrols TOTP: from then on her password alone no longer signs her in.
    await enableTotp(server.app.fastify, carolToken, systemClock);
    const enrolled = await call(server.app.fastify, 'GET', '/v1/users/me', { token: carolToken });
    assert.deepEqual(enrolled.json.mfa, { totp: true, webauthn: 0, recoveryCodesLeft: 10 });
    const probe = await lab.newPage();
    await signIn(probe.page, origin, 'carol', passwordFor('carol'));
    await probe.page.locator('#otp-form').waitFor();
    assert.equal(await probe.page.locator('#sign-out').count(), 0, 'the password alone did not sign her in');
    await probe.context.close();

    const { page } = await lab.newPage();
    await signIn(page, origin, 'root', passwordFor('root'));
    await page.locator('nav').getByRole('button', { name: 'Administration' }).click();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/admin/users/carol/mfa') && r.request().method() === 'DELETE'),
      page.locator('#admin-users li', { hasText: 'carol' }).getByRole('button', { name: 'Reset MFA' }).click(),
    ]);
    assert.equal(response.status(), 204);
    // The administrator is told what happened, in plain words, and no error shows.
    await page.locator('#admin-users-status', { hasText: 'carol' }).waitFor();
    assert.equal(await page.locator('#admin-users-status').textContent(),
      'Every second factor of carol was removed and carol was signed out everywhere: the next sign-in is with the password alone.');
    assert.equal(await page.locator('#error').isVisible(), false);
    await page.locator('#admin-users li', { hasText: 'carol' }).getByRole('button', { name: 'Reset MFA' }).waitFor();

    // Her sessions and tokens ended with the reset: her open page asks her to sign in again.
    assert.equal((await call(server.app.fastify, 'GET', '/v1/users/me', { token: carolToken })).status, 401);
    await carol.reload();
    await carol.locator('#login-form').waitFor();
    // The password alone signs her in now, in the browser and through the API, and no factor is left.
    await signIn(carol, origin, 'carol', passwordFor('carol'));
    await carol.locator('#sign-out').waitFor();
    const token = await call(server.app.fastify, 'POST', '/v1/tokens', { headers: { authorization: basicAuth('carol', passwordFor('carol')) }, body: { name: 'after reset' } });
    assert.equal(token.status, 201, token.body);
    carolToken = token.json.token;
    const reset = await call(server.app.fastify, 'GET', '/v1/users/me', { token: carolToken });
    assert.deepEqual(reset.json.mfa, { totp: false, webauthn: 0 }, 'no TOTP, no passkey, no recovery codes');
    await page.close();
  });

  it('shows the audit log with filters, an actor’s activity over time and the chain status', async () => {
    const { page } = await lab.newPage();
    await signIn(page, origin, 'root', passwordFor('root'));
    await page.locator('nav').getByRole('button', { name: 'Administration' }).click();
    const filter = page.locator('#audit-filter');
    await filter.getByPlaceholder('Actor').fill('carol');
    await filter.getByPlaceholder('Action (e.g. DELETE)').fill('PUT');
    await filter.getByRole('button', { name: 'Search' }).click();
    // The unfiltered log is on screen before the search answers, and it holds carol's
    // contact requests too: wait until the table shows the filtered result, not just a row.
    assert.ok(await waitForDom(page, `(() => {
      const rows = [...document.querySelectorAll('#audit tbody tr')];
      return rows.length > 0 && rows.every((r) => r.children[1].textContent === 'carol' && r.children[2].textContent.startsWith('PUT '));
    })()`), 'the table shows only carol’s PUT records');
    await page.locator('#audit tbody tr', { hasText: '/v1/contacts/:username' }).first().waitFor();
    const actors = await page.locator('#audit tbody tr td:nth-child(2)').allTextContents();
    assert.ok(actors.length > 0 && actors.every((a) => a === 'carol'), `only carol's records: ${actors.join(',')}`);

    await page.locator('#audit tbody tr').first().getByRole('button', { name: 'carol' }).click();
    await page.locator('#activity-table tbody tr').first().waitFor();
    const counts = await page.locator('#activity-table tbody tr td:nth-child(2)').allTextContents();
    // Every request of carol counted once (by its outcome record), not just the filtered PUTs.
    const all = await call(server.app.fastify, 'GET', '/v1/audit?actor=carol&limit=1000', { token: root.token });
    const outcomes = all.json.items.filter((i: { outcome: string }) => i.outcome !== 'pending');
    assert.equal(counts.reduce((n, c) => n + Number(c), 0), outcomes.length);
    const denied = await page.locator('#activity-table tbody tr td:nth-child(3)').allTextContents();
    assert.ok(denied.reduce((n, c) => n + Number(c), 0) >= 1, 'the refused direct message shows as denied');

    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page.locator('#audit-verify .ok', { hasText: 'intact' }).waitFor();
    await screenshot(page, 'admin');
    await page.close();
  });

  it('hides administration from other users', async () => {
    assert.equal(await carol.locator('nav').getByRole('button', { name: 'Administration' }).count(), 0);
  });

  // A second server whose clock the test moves, so its log has a known history: erin's and
  // frank's requests at 08:00, 09:00 and 10:00 UTC, some refused; the administrator looks at 11:00.
  describe('the audit log screen on a known history', () => {
    const HOUR = 3_600_000;
    const T8 = Date.parse('2026-11-22T08:00:00Z');
    const clock = fakeClock(T8);
    let known: TestServer;
    let page: Page;
    let context: BrowserContext | undefined;
    let admin: { token: string };
    let erinSpace = '';
    /** The whole log as the API gives it (newest first), taken once the screen has loaded. */
    let log: AuditRow[] = [];

    interface AuditRow { time: string; action: { method: string; route: string }; resource: string; outcome: string; reason: string; status: number | null }
    // The table's Action, Resource, Outcome and Status columns, as the screen writes them.
    const asShown = (i: AuditRow) => [`${i.action.method} ${i.action.route}`, i.resource, i.reason ? `${i.outcome} (${i.reason})` : i.outcome, String(i.status ?? '')];
    const TABLE = `[...document.querySelectorAll('#audit tbody tr')].map((tr) => [...tr.children].slice(2).map((td) => td.textContent))`;

    /** datetime-local text for an instant, in the browser's own time zone (as a person would type it). */
    const localInput = (ms: number) => page.evaluate(`(() => {
      const d = new Date(${ms}), p = (n) => String(n).padStart(2, '0');
      return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes());
    })()`) as Promise<string>;

    /** Fills the filter form (empty fields are no filter), searches, and waits for exactly `expected`. */
    const searchFor = async (filters: { resource?: string; outcome?: string; from?: number; to?: number }, expected: AuditRow[]) => {
      const form = page.locator('#audit-filter');
      await form.getByPlaceholder('Actor').fill('');
      await form.getByPlaceholder('Action (e.g. DELETE)').fill('');
      await form.getByPlaceholder('Resource path').fill(filters.resource ?? '');
      await form.getByLabel('Outcome').selectOption(filters.outcome ?? '');
      await form.getByPlaceholder('From', { exact: true }).fill(filters.from === undefined ? '' : await localInput(filters.from));
      await form.getByPlaceholder('To', { exact: true }).fill(filters.to === undefined ? '' : await localInput(filters.to));
      await form.getByRole('button', { name: 'Search' }).click();
      const want = expected.map(asShown);
      // The previous table stays on screen until the search answers: wait for the filtered rows themselves.
      if (!(await waitForDom(page, `JSON.stringify(${TABLE}) === ${JSON.stringify(JSON.stringify(want))}`))) {
        assert.deepEqual(await page.evaluate(TABLE), want, `the table shows exactly the matching records for ${JSON.stringify(filters)}`);
        assert.fail('the table never showed exactly the matching records');
      }
      assert.equal(await page.locator('#audit p.muted').textContent(), `${expected.length} records (newest first).`);
    };

    before(async () => {
      known = await startTestServer({ listen: true, clock });
      const app = known.app.fastify;
      const erin = await userWithToken(app, 'erin');
      const frank = await userWithToken(app, 'frank');
      const as = async (who: { token: string }, method: 'GET' | 'POST' | 'DELETE', url: string, status: number, body?: unknown) => {
        const res = await call(app, method, url, { token: who.token, ...(body ? { body } : {}) });
        assert.equal(res.status, status, `${method} ${url}: ${res.body}`);
        return res.json;
      };
      // 08:00: two spaces and a first message.
      erinSpace = (await as(erin, 'POST', '/v1/spaces', 201, { name: 'Erin’s' })).id;
      const frankSpace = (await as(frank, 'POST', '/v1/spaces', 201, { name: 'Frank’s' })).id;
      await as(erin, 'POST', `/v1/spaces/${erinSpace}/messages`, 201, { text: 'early' });
      // 09:00: each tries to read the other's space (refused), erin posts again.
      clock.set(T8 + HOUR);
      await as(erin, 'GET', `/v1/spaces/${frankSpace}/messages`, 404);
      await as(frank, 'GET', `/v1/spaces/${erinSpace}`, 404);
      const mid = await as(erin, 'POST', `/v1/spaces/${erinSpace}/messages`, 201, { text: 'mid' });
      // 10:00: erin deletes that message; frank tries to delete erin's space.
      clock.set(T8 + 2 * HOUR);
      await as(erin, 'DELETE', `/v1/spaces/${erinSpace}/messages/${mid.id}`, 204);
      await as(frank, 'DELETE', `/v1/spaces/${erinSpace}`, 404);
      await as(frank, 'GET', `/v1/spaces/${frankSpace}/messages`, 200);
      // 11:00: the administrator looks.
      clock.set(T8 + 3 * HOUR);
      admin = await adminWithToken(app, known.app.accounts, 'auditor');
      ({ page, context } = await lab.newPage());
      await signIn(page, uiOrigin(known.url), 'auditor', passwordFor('auditor'));
      await page.locator('nav').getByRole('button', { name: 'Administration' }).click();
      await page.locator('#audit tbody tr').first().waitFor();
      const all = await call(app, 'GET', '/v1/audit?limit=1000', { token: admin.token });
      assert.equal(all.status, 200);
      log = all.json.items;
      assert.equal(all.json.nextCursor, null, 'the whole log in one page');
    });
    after(async () => {
      // The whole context, with its open connections: the server's close waits for them.
      await context?.close();
      await known?.close();
    });

    it('narrows the audit log by outcome, by resource and by time, each to the matching records only', async () => {
      const denied = log.filter((i) => i.outcome === 'denied');
      assert.ok(denied.length >= 3 && denied.length < log.length, 'the outcome filter has something to leave out');
      await searchFor({ outcome: 'denied' }, denied);

      const prefix = `/v1/spaces/${erinSpace}`;
      const inSpace = log.filter((i) => i.resource === prefix || i.resource.startsWith(`${prefix}/`));
      assert.ok(inSpace.some((i) => i.resource !== prefix), 'records below the space (its messages) count too');
      assert.ok(inSpace.length < log.filter((i) => i.resource.startsWith('/v1/spaces')).length, 'other spaces are left out');
      await searchFor({ resource: prefix }, inSpace);

      const from = T8 + HOUR;
      const to = T8 + 2 * HOUR;
      const nine = log.filter((i) => Date.parse(i.time) >= from && Date.parse(i.time) < to);
      assert.ok(nine.length >= 6 && nine.length < log.length, 'the window leaves out 08:00, 10:00 and 11:00');
      await searchFor({ from, to }, nine);

      // Together: in erin's space, refused, in the 09:00 hour: only frank's attempt to read it.
      const together = nine.filter((i) => i.outcome === 'denied' && inSpace.includes(i));
      assert.deepEqual(together.map((i) => `${i.action.method} ${i.resource}`), [`GET ${prefix}`]);
      await searchFor({ resource: prefix, outcome: 'denied', from, to }, together);
      await page.locator('#audit tbody tr').first().getByRole('button', { name: 'frank' }).waitFor();
    });

    it('shows the chain as tampered with once a record is altered in the database', async () => {
      await page.getByRole('button', { name: 'Verify the chain' }).click();
      await page.locator('#audit-verify .ok', { hasText: 'intact' }).waitFor();
      // Someone with database access turns frank's refused attempt on erin's space into an allowed one.
      const row = await known.database.db.selectFrom('audit_log').select('seq')
        .where('actor', '=', 'frank').where('outcome', '=', 'denied').where('resource', '=', `/v1/spaces/${erinSpace}`).where('method', '=', 'DELETE')
        .executeTakeFirstOrThrow();
      const seq = Number(row.seq);
      const changed = await known.database.db.updateTable('audit_log').set({ outcome: 'allowed', reason: '', status: 204 }).where('seq', '=', seq).executeTakeFirst();
      assert.equal(Number(changed.numUpdatedRows), 1);

      await page.reload();
      await page.locator('nav').getByRole('button', { name: 'Administration' }).click();
      await page.getByRole('button', { name: 'Verify the chain' }).click();
      const bad = page.locator('#audit-verify .bad');
      await bad.waitFor();
      assert.match(await bad.textContent() ?? '', new RegExp(`^tampered with: the chain breaks at record ${seq} \\(\\d+ checked\\)\\. $`));
      assert.equal(await page.locator('#audit-verify .ok').count(), 0);
      await screenshot(page, 'admin-tampered');
    });
  });

  it('saw no Content-Security-Policy violation and no page error', () => {
    assert.deepEqual(lab.problems, []);
  });

});
