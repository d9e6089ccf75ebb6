// The account flows in a real browser: register, password login, TOTP enrolment (QR code,
// recovery codes shown once) and login with a code or a recovery code, passkeys (add,
// passwordless login, second factor, remove), sessions and "sign out everywhere". The session
// lives in an HttpOnly cookie; nothing is written to web storage.
import { BROWSER_SUITE } from '../helpers/virtualAuthenticator.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { totpCodeAt } from '../../src/accounts/mfa/totp.ts';
import { fakeClock, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { errorText, openLab, register, screenshot, signIn, uiOrigin, type Lab } from './browser.ts';

describe('browser UI: accounts, second factors and sessions', BROWSER_SUITE, () => {
  const clock = fakeClock();
  const password = 'Pw-browser-alpine-meadow-4471';
  let server: TestServer;
  let lab: Lab;
  let origin: string;
  let page: Page;
  let secret = '';
  let recoveryCodes: string[] = [];

  before(async () => {
    [server, lab] = await Promise.all([startTestServer({ listen: true, clock }), openLab()]);
    origin = uiOrigin(server.url);
    ({ page } = await lab.newPage());
  });
  after(async () => {
    await lab?.close();
    await server?.close();
  });

  const openAccount = async () => {
    await page.locator('nav').getByRole('button', { name: 'Account' }).click();
    await page.locator('#sessions').waitFor();
  };
  const signOut = async () => {
    await page.locator('#sign-out').click();
    await page.locator('#login-form').waitFor();
  };
  const nextCode = () => {
    clock.advance(30_000); // a code is accepted once: the next one is a step later
    return totpCodeAt(secret, clock());
  };

  it('registers, keeps the session in an HttpOnly cookie only, and survives a reload', async () => {
    await page.goto(`${origin}/`);
    await page.locator('#login-form').waitFor();
    await screenshot(page, 'sign-in');
    await register(page, origin, 'alice', password);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === '__Host-gh_session');
    assert.ok(session?.httpOnly && session.secure && session.sameSite === 'Strict');
    assert.equal(await page.evaluate('localStorage.length + sessionStorage.length'), 0);

    await page.reload();
    await page.locator('#space-create').getByPlaceholder('Space name').fill('after reload');
    await page.locator('#space-create').getByRole('button', { name: 'Create' }).click();
    // A state change after the reload: the page recovered its CSRF token.
    await page.locator('#space-list').getByRole('button', { name: 'after reload' }).waitFor();
  });

  it('enrols TOTP with a QR code and shows the recovery codes once', async () => {
    await openAccount();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const qr = page.locator('#totp-qr');
    await qr.waitFor();
    assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/svg\+xml;base64,/);
    const width = await qr.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth));
    assert.ok(width > 0, 'the QR code image loads');
    secret = ((await page.locator('#totp-secret').textContent()) ?? '').trim();
    await page.locator('#totp-confirm').getByPlaceholder('Code from the app').fill(totpCodeAt(secret, clock()));
    await page.locator('#totp-confirm').getByRole('button', { name: 'Turn on' }).click();
    await page.locator('#recovery-codes li').first().waitFor();
    recoveryCodes = await page.locator('#recovery-codes li').allTextContents();
    assert.equal(recoveryCodes.length, 10);
    await screenshot(page, 'account');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText('Recovery codes left: 10').waitFor();
    assert.equal(await page.locator('#recovery-codes').count(), 0);
  });

  it('logs in with password then a TOTP code, or then a recovery code', async () => {
    await signOut();
    await signIn(page, origin, 'alice', password);
    await page.locator('#otp-form').getByPlaceholder('Code').fill('000000');
    await page.locator('#otp-form').getByRole('button', { name: 'Verify' }).click();
    assert.match(await errorText(page), /^That code or passkey was not accepted/);
    await page.locator('#otp-form').getByPlaceholder('Code').fill(nextCode());
    await page.locator('#otp-form').getByRole('button', { name: 'Verify' }).click();
    await page.locator('#sign-out').waitFor();

    await signOut();
    await signIn(page, origin, 'alice', password);
    await page.locator('#otp-form').getByPlaceholder('Code').fill(recoveryCodes[0]!);
    await page.locator('#otp-form').getByRole('button', { name: 'Verify' }).click();
    await page.locator('#sign-out').waitFor();
    await openAccount();
    await page.getByText('Recovery codes left: 9').waitFor();
  });

  it('adds a passkey, logs in with it (passwordless and as second factor), and removes it', async () => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    await page.locator('#passkey-add').getByPlaceholder('Passkey name').fill('laptop key');
    await page.locator('#passkey-add').getByRole('button', { name: 'Add a passkey' }).click();
    await page.locator('#passkeys li', { hasText: 'laptop key' }).waitFor();

    await signOut();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.locator('#sign-out').waitFor();

    await signOut();
    await signIn(page, origin, 'alice', password);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.locator('#sign-out').waitFor();

    await openAccount();
    await page.locator('#passkeys li', { hasText: 'laptop key' }).getByRole('button', { name: 'Remove' }).click();
    await page.locator('#passkeys li').first().waitFor({ state: 'detached' });
  });

  it('turns TOTP off with a current code', async () => {
    await page.locator('#totp-off').getByPlaceholder('Current code').fill(nextCode());
    await page.locator('#totp-off').getByRole('button', { name: 'Turn off' }).click();
    await page.getByText('Authenticator app: off.').waitFor();
    await signOut();
    await signIn(page, origin, 'alice', password);
    await page.locator('#sign-out').waitFor(); // no second factor asked any more
  });

  it('lists the sessions and signs out everywhere', async () => {
    const other = await lab.newPage();
    await signIn(other.page, origin, 'alice', password);
    await other.page.locator('#sign-out').waitFor();

    await openAccount();
    assert.equal(await page.locator('#sessions li').count(), 2);
    assert.equal(await page.locator('#sessions li', { hasText: '(this browser)' }).count(), 1);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.locator('#login-form').waitFor();

    // That browser's session died too: its next request brings it back to the sign-in page.
    await other.page.locator('nav').getByRole('button', { name: 'Contacts' }).click();
    await other.page.locator('#login-form').waitFor();
    assert.match(await errorText(other.page), /session has ended/);
    await other.page.reload();
    await other.page.locator('#login-form').waitFor();
    await other.context.close();
  });

  it('saw no Content-Security-Policy violation and no page error', () => {
    assert.deepEqual(lab.problems, []);
  });
});
