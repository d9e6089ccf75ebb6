import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Options for the describe() of a suite that drives Chromium. In CI (CI=true) the suite always
 * runs, and fails if Chromium is missing (.ci/run installs it). On a developer machine without
 * Debian's chromium the suite is reported as skipped, with the reason, so that `npm test`
 * passes on a fresh machine as the README promises.
 */
export const BROWSER_SUITE: { skip?: string } =
  existsSync(CHROMIUM) || process.env.CI ? {} : { skip: `${CHROMIUM} is not installed (apt-get install -y chromium); CI installs it and runs this suite` };

/**
 * Chromium with a virtual WebAuthn authenticator (DevTools protocol), on a page at `origin`.
 * The page's document is supplied by the test (Gatehouse serves no HTML there): only its origin
 * matters, because that is what the browser signs into the ceremony.
 */
export class VirtualAuthenticatorLab {
  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    readonly cdp: CDPSession,
  ) {}

  static async open(origin: string): Promise<VirtualAuthenticatorLab> {
    // Fails when missing; suites opt out only outside CI (BROWSER_SUITE). CI installs chromium (.ci/run).
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: the passkey tests need it (apt-get install -y chromium)`);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.route(`${origin}/passkey-lab`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>passkey lab</title>' }));
    await page.goto(`${origin}/passkey-lab`);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    return new VirtualAuthenticatorLab(browser, page, cdp);
  }

  /** A security key with resident keys and user verification (Chromium allows only one 'internal' one per browser). */
  async addAuthenticator(): Promise<string> {
    const { authenticatorId } = await this.cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    return authenticatorId;
  }

  async removeAuthenticator(authenticatorId: string): Promise<void> {
    await this.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
  }

  /** The credentials (with private keys and sign counts) an authenticator holds: to clone it. */
  async exportCredentials(authenticatorId: string) {
    return (await this.cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  }

  async importCredential(authenticatorId: string, credential: Awaited<ReturnType<VirtualAuthenticatorLab['exportCredentials']>>[number]): Promise<void> {
    await this.cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
  }

  /** navigator.credentials.create() with the server's options JSON; the credential as JSON for the server. */
  create(options: unknown): Promise<any> {
    return this.page.evaluate(`(${CREATE_IN_PAGE})(${JSON.stringify(options)})`);
  }

  /** navigator.credentials.get() with the server's options JSON; the assertion as JSON for the server. */
  get(options: unknown): Promise<any> {
    return this.page.evaluate(`(${GET_IN_PAGE})(${JSON.stringify(options)})`);
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}

// Page-side code as source text: the TypeScript loader would otherwise decorate functions with
// helpers that do not exist in the page. The same base64url conversions as @simplewebauthn/browser.
const CODEC = `
  const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));`;

const CREATE_IN_PAGE = `async (o) => {${CODEC}
  const cred = await navigator.credentials.create({ publicKey: {
    ...o, challenge: bytes(o.challenge), user: { ...o.user, id: bytes(o.user.id) },
    excludeCredentials: (o.excludeCredentials || []).map((c) => ({ ...c, id: bytes(c.id) })) } });
  const r = cred.response;
  return { id: cred.id, rawId: b64(cred.rawId), type: cred.type, clientExtensionResults: cred.getClientExtensionResults(),
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    response: { clientDataJSON: b64(r.clientDataJSON), attestationObject: b64(r.attestationObject), transports: r.getTransports() } };
}`;

const GET_IN_PAGE = `async (o) => {${CODEC}
  const cred = await navigator.credentials.get({ publicKey: {
    ...o, challenge: bytes(o.challenge), allowCredentials: (o.allowCredentials || []).map((c) => ({ ...c, id: bytes(c.id) })) } });
  const r = cred.response;
  return { id: cred.id, rawId: b64(cred.rawId), type: cred.type, clientExtensionResults: cred.getClientExtensionResults(),
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    response: { clientDataJSON: b64(r.clientDataJSON), authenticatorData: b64(r.authenticatorData), signature: b64(r.signature),
      ...(r.userHandle ? { userHandle: b64(r.userHandle) } : {}) } };
}`;
