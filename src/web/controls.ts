import type { ControlDeclaration } from '../threatmodel/control.ts';

/**
 * Controls of the browser UI (the page at / and the code it runs), named by the threat
 * register for the browser rules (src/threatmodel/browserRules.ts): script and markup
 * injection, clickjacking, cross-site request forgery.
 */
export const CONTROLS: readonly ControlDeclaration[] = [
  {
    id: 'page-csp',
    title: 'The page\'s Content-Security-Policy (PAGE_CSP): script and style only from its own content-hashed files, no inline code or on*= handlers, no <base>, requests and forms only to itself; the API reference at /docs runs no script at all',
    implementedIn: ['src/web/routes.ts', 'src/web/webBundle.ts', 'web/index.html', 'src/operations/routes.ts'],
  },
  {
    id: 'page-no-framing',
    title: 'Never framed: frame-ancestors \'none\' in the page CSPs and X-Frame-Options: DENY on every response',
    implementedIn: ['src/web/routes.ts', 'src/operations/routes.ts', 'src/pipeline/hardening/securityHeaders.ts'],
  },
  {
    id: 'text-only-rendering',
    title: 'The UI puts data into the page only as text (textContent, text nodes), never as HTML (no innerHTML, insertAdjacentHTML, document.write)',
    implementedIn: ['web/src/dom.ts', 'web/src/ui.ts', 'web/src/screens/messages.ts'],
  },
  {
    id: 'browser-csrf-token',
    title: 'The UI keeps the session\'s CSRF token in memory only and sends it as X-CSRF-Token on every state change; the cookie is never readable by script',
    implementedIn: ['web/src/api.ts', 'web/src/screens/auth.ts'],
  },
];
