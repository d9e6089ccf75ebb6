// Contacts and direct messages between two people, each in their own browser; and the
// administrator's screens: users (disable), the audit log with filters, one actor's activity
// over time, and the chain verification status.
import { BROWSER_SUITE } from '../helpers/virtualAuthenticator.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { adminWithToken, basicAuth, call, passwordFor, userWithToken } from '../helpers/api.ts';
import { enableTotp } from '../helpers/mfa.ts';
import { systemClock } from '../../src/clock.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { errorText, openLab, screenshot, signIn, uiOrigin, type Lab } from './browser.ts';

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
    await page.waitForFunction(`(() => {
      const cells = [...document.querySelectorAll('#audit tbody tr td:nth-child(2)')];
      return cells.length > 0 && cells.every((c) => c.textContent === 'carol');
    })()`);
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

  it('saw no Content-Security-Policy violation and no page error', () => {
    assert.deepEqual(lab.problems, []);
  });

});
