import { SESSION_AUTH, type Evidence } from './evidence.ts';

/**
 * Evidence for the browser rules (src/threatmodel/browserRules.ts): the controls of the UI
 * (src/web/controls.ts) and the end-to-end tests that attack it in a real Chromium
 * (test/e2e/*). `gatehouse threats check` fails if any of these tests did not run and pass.
 */
const attacks = (title: string) => `test/e2e/browserAttacks.test.ts > browser UI under attack > ${title}`;
const spaces = (title: string) => `test/e2e/spaces.test.ts > browser UI: spaces, messages, members and share links > ${title}`;

const PAGE_CSP_SERVED = attacks('serves the page under the page CSP, with no inline script or style, and keeps the API CSP for /v1');
const MARKUP_INERT = spaces('posts a message and shows markup in it as inert text');
/** The other page on the public flow: the API reference at /docs, which runs no script. */
const DOCS_PAGE = 'test/pipeline/hardening/hardening.test.ts > hardening > the /docs page has its own strict CSP, still with no framing and no default sources';

/** Script that reaches the page does not run; the UI never parses data as HTML. */
export const SCRIPT_INJECTION: Evidence = {
  controls: ['page-csp', 'text-only-rendering'],
  tests: [
    PAGE_CSP_SERVED,
    attacks('reports a CSP violation when inline script is injected (the zero-violation checks can fail)'),
    MARKUP_INERT,
    attacks('saw no Content-Security-Policy violation and no page error on our pages'),
    DOCS_PAGE,
  ],
};

/** Markup in messages and other data stays text. */
export const MARKUP_INJECTION: Evidence = {
  controls: ['text-only-rendering', 'page-csp'],
  tests: [MARKUP_INERT, PAGE_CSP_SERVED],
};

/** The page cannot be framed by another site. */
export const FRAMING: Evidence = {
  controls: ['page-no-framing'],
  tests: [attacks('cannot be framed by another site'), PAGE_CSP_SERVED, DOCS_PAGE],
};

/** A cross-site request carrying the user's cookie is refused, in the browser and at the server. */
export const BROWSER_CSRF: Evidence = {
  controls: ['browser-csrf-token', ...SESSION_AUTH.controls.filter((c) => c !== 'second-factor')],
  tests: [
    attacks('refuses a cross-site form POST that carries the victim’s cookie'),
    ...SESSION_AUTH.tests.filter((t) => t.includes('attack: CSRF')),
  ],
};
