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
    const cookie = (await context.cookies()).find((c) => c.name === '__Host-gh_session');
    assert.ok(cookie, 'the victim is signed in with the session cookie');
    assert.equal(cookie.sameSite, 'Strict');
    const spaceNames = async () => {
      const spaces = await call(server.app.fastify, 'GET', '/v1/spaces', { token: victim.token });
      assert.equal(spaces.status, 200);
      return spaces.json.items.map((s: { name: string }) => s.name);
    };
    assert.deepEqual(await spaceNames(), []);

    // The classic JSON-via-text/plain form: the body reads {"name":"pwned","x":"="}.
    attackerPage = `<!doctype html><form method="POST" action="${origin}/v1/spaces" enctype="text/plain">
      <input name='{"name":"pwned","x":"' value='"}'></form><script>document.forms[0].submit()</script>`;
    const answered = page.waitForResponse((r) => r.url() === `${origin}/v1/spaces` && r.request().method() === 'POST');
    await page.goto(`${attackerOrigin}/`);
    const response = await answered;
    // First line: the cookie is SameSite=Strict, so Chromium leaves it off this cross-site
    // request; the server sees no credentials at all and answers 401 unauthenticated.
    const sent = await response.request().allHeaders();
    assert.equal(sent['sec-fetch-site'], 'cross-site', 'the browser labelled the request cross-site');
    assert.doesNotMatch(sent.cookie ?? '', /__Host-gh_session=/, 'the browser did not attach the session cookie');
    assert.equal(response.status(), 401);
    assert.equal((await response.json()).code, 'unauthenticated');
    assert.deepEqual(await spaceNames(), [], 'the forged request created no space');

    // Second line, should a browser send the cookie cross-site anyway (no SameSite support):
    // the same request with the cookie attached is still refused, for its cross-site origin
    // and, even with no origin to judge by, for the missing or wrong X-CSRF-Token.
    const withCookie = (headers: Record<string, string> = {}, name = 'pwned') =>
      httpsRequest(server, 'POST', '/v1/spaces', { headers: { cookie: `${cookie.name}=${cookie.value}`, ...headers }, body: { name } });
    const forged = await withCookie({ origin: attackerOrigin, 'sec-fetch-site': 'cross-site' });
    assert.equal(forged.status, 403);
    assert.equal(forged.json.code, 'csrf_failed');
    const tokenless = await withCookie();
    assert.equal(tokenless.status, 403);
    assert.equal(tokenless.json.code, 'csrf_failed');
    const wrongToken = await withCookie({ 'x-csrf-token': 'not-the-token-of-this-session' });
    assert.equal(wrongToken.status, 403);
    assert.equal(wrongToken.json.code, 'csrf_failed');
    assert.deepEqual(await spaceNames(), [], 'no space was created');
    // Control: the cookie itself is good; with its own CSRF token the same request succeeds.
    const csrf = await httpsRequest(server, 'GET', '/v1/sessions/current/csrf', { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    assert.equal(csrf.status, 200);
    const genuine = await withCookie({ 'x-csrf-token': csrf.json.csrfToken }, 'genuine');
    assert.equal(genuine.status, 201, genuine.text);
    assert.deepEqual(await spaceNames(), ['genuine'], 'only the genuine request changed anything');
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
