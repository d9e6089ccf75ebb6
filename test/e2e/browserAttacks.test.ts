// Browser-borne attacks on the UI (threats: XSS, CSRF, clickjacking) and the page's own
// hardening: the page CSP (no inline code), cross-site request forgery with the victim's
// cookie, framing by another site, and rate-limit errors in plain words.
import { BROWSER_SUITE } from '../helpers/virtualAuthenticator.ts';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { call, passwordFor, userWithToken } from '../helpers/api.ts';
import { fakeClock, httpsRequest, RELAXED_LOGIN_THROTTLE, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { PAGE_CSP } from '../../src/web/routes.ts';
import { errorText, openLab, signIn, uiOrigin, type Lab } from './browser.ts';

describe('browser UI under attack', BROWSER_SUITE, () => {
  let server: TestServer;
  let lab: Lab;
  let origin: string;
  let attacker: http.Server;
  let attackerOrigin = '';
  let attackerPage = '';

  before(async () => {
    [server, lab] = await Promise.all([startTestServer({ listen: true }), openLab()]);
    origin = uiOrigin(server.url);
    // Another site (another origin and site: plain http on 127.0.0.1) serving the attack of the moment.
    attacker = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attackerPage));
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });
  after(async () => {
    await lab?.close();
    await server?.close();
    await new Promise((resolve) => attacker?.close(resolve));
  });

  it('serves the page under the page CSP, with no inline script or style, and keeps the API CSP for /v1', async () => {
    const page = await httpsRequest(server, 'GET', '/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-security-policy'], PAGE_CSP);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.doesNotMatch(page.text, /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i, 'no inline code in the page');
    const script = /src="(\/assets\/app-[0-9a-f]{16}\.js)"/.exec(page.text)?.[1];
    assert.ok(script, 'the bundle has a content-hashed name');
    const asset = await httpsRequest(server, 'GET', script);
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.doesNotMatch(asset.text, /\.innerHTML\s*=|insertAdjacentHTML|document\.write/, 'the UI never parses data as HTML');
    const api = await httpsRequest(server, 'GET', '/v1/spaces');
    assert.equal(api.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'; sandbox");
  });

  it('reports a CSP violation when inline script is injected (the zero-violation checks can fail)', async () => {
    const { page, context } = await lab.newPage();
    await page.goto(`${origin}/`);
    await page.locator('#login-form').waitFor();
    await page.evaluate(`document.body.append(Object.assign(document.createElement('script'), { textContent: 'window.ran = true' }))`);
    for (let i = 0; i < 50 && !lab.problems.some((p) => /script-src/.test(p)); i++) await page.waitForTimeout(20);
    assert.equal(await page.evaluate('window.ran'), undefined, 'the inline script did not run');
    assert.ok(lab.problems.some((p) => /script-src/.test(p)), `violation reported: ${lab.problems.join('\n')}`);
    lab.problems.length = 0; // this one was provoked on purpose
    await context.close();
  });

  it('refuses a cross-site form POST that carries the victim’s cookie', async () => {
    const victim = await userWithToken(server.app.fastify, 'victim');
    const { page, context } = await lab.newPage();
    await signIn(page, origin, 'victim', passwordFor('victim'));
    await page.locator('#sign-out').waitFor();
    // The classic JSON-via-text/plain form: the body reads {"name":"pwned","x":"="}.
    attackerPage = `<!doctype html><form method="POST" action="${origin}/v1/spaces" enctype="text/plain">
      <input name='{"name":"pwned","x":"' value='"}'></form><script>document.forms[0].submit()</script>`;
    const answered = page.waitForResponse((r) => r.url() === `${origin}/v1/spaces` && r.request().method() === 'POST');
    await page.goto(`${attackerOrigin}/`);
    assert.ok((await answered).status() >= 400, 'the forged request was refused');
    // Second line, should a browser send the cookie cross-site anyway (no SameSite support):
    // the same forged request with the cookie attached is still refused (Origin, no CSRF token).
    const cookie = (await context.cookies()).find((c) => c.name === '__Host-gh_session')!;
    const forged = await httpsRequest(server, 'POST', '/v1/spaces', {
      headers: { cookie: `${cookie.name}=${cookie.value}`, origin: attackerOrigin, 'sec-fetch-site': 'cross-site' },
      body: { name: 'pwned' },
    });
    assert.equal(forged.status, 403);
    assert.equal(forged.json.code, 'csrf_failed');
    const spaces = await call(server.app.fastify, 'GET', '/v1/spaces', { token: victim.token });
    assert.deepEqual(spaces.json.items, [], 'no space was created');
    // The session itself still works from our own page.
    await page.goto(`${origin}/`);
    await page.locator('#sign-out').waitFor();
    await context.close();
  });

  it('cannot be framed by another site', async () => {
    const { page, context } = await lab.newPage({ attacker: true });
    attackerPage = `<!doctype html><iframe src="${origin}/" width="800" height="600"></iframe>`;
    await page.goto(`${attackerOrigin}/`);
    await page.waitForLoadState('load');
    const frame = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(frame, 'the iframe exists');
    assert.equal(await frame.locator('#login-form, #main').count(), 0, 'nothing of the UI rendered in the frame');
    assert.ok(lab.attackerProblems.some((p) => /frame-ancestors/.test(p)), `the browser refused by frame-ancestors: ${lab.attackerProblems.join('\n')}`);
    await context.close();
  });

  it('says how long to wait when logins are rate limited (Retry-After)', async () => {
    const clock = fakeClock();
    const strict = await startTestServer({ listen: true, clock, loginThrottle: { ...RELAXED_LOGIN_THROTTLE, account: { freeFailures: 1, maxDelaySeconds: 60, forgetAfterSeconds: 3600 } } });
    try {
      await userWithToken(strict.app.fastify, 'target');
      const { page, context } = await lab.newPage();
      await signIn(page, uiOrigin(strict.url), 'target', 'Wrong-password-guess-1234');
      assert.match(await errorText(page), /Invalid username or password/);
      await page.locator('#login-form').getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#error', { hasText: 'Too many attempts' }).waitFor();
      assert.match(await errorText(page), /^Too many attempts\. Please wait \d+ seconds? and try again\.$/);
      await context.close();
    } finally {
      await strict.close();
    }
  });

  it('saw no Content-Security-Policy violation and no page error on our pages', () => {
    assert.deepEqual(lab.problems, []);
  });
});
