// One Chromium per test file, driving the UI at https://localhost:<port>/ (localhost: the
// WebAuthn RP id and __Host- cookies need it). Every page opened here reports Content-Security-
// Policy violations, from the console and from securitypolicyviolation events, into one list
// that each file asserts is empty at its end.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM } from '../helpers/virtualAuthenticator.ts';

export const SCREENSHOTS = 'test-results/screenshots';

export interface Lab {
  readonly browser: Browser;
  /** CSP violations and page errors seen so far, in any page of this lab. */
  readonly problems: string[];
  /** Violations seen on attackers' pages (e.g. our frame-ancestors refusing their iframe): expected there. */
  readonly attackerProblems: string[];
  /** A fresh context (no cookies: a different person or a fresh browser) with one page. */
  newPage(options?: { attacker?: boolean }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** Launches Debian's Chromium; fails when it is missing (suites use BROWSER_SUITE: skipped with the reason outside CI only). */
export async function openLab(): Promise<Lab> {
  // CI installs chromium (.ci/run); locally: apt-get install -y chromium.
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: the browser tests need it (apt-get install -y chromium)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const problems: string[] = [];
  const attackerProblems: string[] = [];
  return {
    browser,
    problems,
    attackerProblems,
    async newPage(options = {}) {
      const seen = options.attacker ? attackerProblems : problems;
      const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 760 } });
      // Init scripts are injected by DevTools, outside the page's CSP, so this listener is not itself a violation.
      // (Source text, not a function: the TypeScript loader would add helpers the page lacks.)
      await context.addInitScript(`document.addEventListener('securitypolicyviolation', (e) =>
        console.error('securitypolicyviolation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));`);
      const page = await context.newPage();
      page.setDefaultTimeout(5_000); // fail fast: every step here takes milliseconds
      page.on('console', (msg) => {
        const text = msg.text();
        if (/securitypolicyviolation|Content Security Policy/i.test(text)) seen.push(`${page.url()}: ${text}`);
      });
      page.on('pageerror', (err) => seen.push(`${page.url()}: page error ${err.message}`));
      // confirm() before deleting: the person says yes.
      page.on('dialog', (dialog) => void dialog.accept());
      return { context, page };
    },
    close: () => browser.close(),
  };
}

/** The server's origin as the browser should use it. */
export function uiOrigin(serverUrl: string): string {
  return serverUrl.replace('127.0.0.1', 'localhost');
}

/** Saves a screenshot of a main screen as a test artifact. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** Registers through the UI (then signed in). */
export async function register(page: Page, origin: string, username: string, password: string): Promise<void> {
  await page.goto(`${origin}/`);
  const f = page.locator('#register-form');
  await f.getByPlaceholder('Username').fill(username);
  await f.getByPlaceholder('Password (long and unusual)').fill(password);
  await f.getByRole('button', { name: 'Register' }).click();
  await page.locator('#sign-out').waitFor();
}

/** Signs in with a password through the UI; stops at the second-factor step if the account has one. */
export async function signIn(page: Page, origin: string, username: string, password: string): Promise<void> {
  await page.goto(`${origin}/`);
  const f = page.locator('#login-form');
  await f.getByPlaceholder('Username').fill(username);
  await f.getByPlaceholder('Password').fill(password);
  await f.getByRole('button', { name: 'Sign in' }).click();
}

/** The text of the error box, once it shows. */
export async function errorText(page: Page): Promise<string> {
  const box = page.locator('#error');
  await box.waitFor({ state: 'visible' });
  return (await box.textContent()) ?? '';
}

/**
 * Waits until `condition` (a JavaScript expression over the page's DOM) is true, checking it
 * again on every change of the DOM; returns whether it came true within `timeoutMs`. Not
 * page.waitForFunction: it eval()s a string expression on every poll, which the page's CSP
 * refuses after the first, and it takes a string holding a function as true at once.
 * (Source text in, as with the init script above: the TypeScript loader would add helpers the page lacks.)
 */
export function waitForDom(page: Page, condition: string, timeoutMs = 5_000): Promise<boolean> {
  return page.evaluate(`new Promise((resolve) => {
    const holds = () => { try { return Boolean(${condition}); } catch { return false; } };
    if (holds()) return resolve(true);
    const observer = new MutationObserver(() => {
      if (!holds()) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(true);
    });
    const timer = setTimeout(() => { observer.disconnect(); resolve(false); }, ${timeoutMs});
    observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  })`) as Promise<boolean>;
}
