import type { DataFlow } from './model.ts';
import type { Rule, RuleContext } from './rule.ts';
import type { StrideCategory, ThreatDraft } from './threat.ts';

/**
 * Rules for a browser that runs a page the system serves (an external entity with
 * `browser: true`). STRIDE-per-element gives such an entity only S and R, yet the page runs
 * inside the browser's boundary with the user's session: whatever makes it run foreign code,
 * show foreign markup, act inside another site's frame or send requests another site chose
 * acts with the user's rights. Each rule reports one threat per flow from the browser into a
 * process across a boundary, so the threats are boundary-crossing and gated like the others.
 */

function browserFlows(context: RuleContext, only: (flow: DataFlow) => boolean = () => true): DataFlow[] {
  return context.model.flows.filter((flow) => {
    const from = context.element(flow.from);
    return from.kind === 'external' && from.browser === true && context.element(flow.to).kind === 'process'
      && context.crossingOf(flow).enters.length > 0 && only(flow);
  });
}

interface BrowserThreat {
  readonly id: string;
  readonly category: StrideCategory;
  readonly description: string;
  readonly only?: (flow: DataFlow) => boolean;
  title(served: string, flow: DataFlow): string;
  /** `assets`: the names of the assets the flow carries. */
  explain(served: string, browser: string, flow: DataFlow, assets: string): string;
}

function browserRule(spec: BrowserThreat): Rule {
  return {
    id: spec.id,
    description: spec.description,
    apply(context) {
      return browserFlows(context, spec.only).map((flow): ThreatDraft => {
        const served = context.element(flow.to).name;
        return {
          category: spec.category,
          subject: flow.id,
          related: [flow.to],
          title: spec.title(served, flow),
          description: spec.explain(served, context.element(flow.from).name, flow, context.assetNames(flow).join(', ')),
        };
      });
    },
  };
}

/** XSS: script that reaches the page runs with the user's session (and reads what they type). */
export const scriptInjectionRule = browserRule({
  id: 'browser-script-injection',
  category: 'E',
  description: 'A page served to a browser can be made to run script it did not ship (XSS), which then acts with the user\'s session.',
  title: (_served, flow) => `Script injection (XSS) into the page over ${flow.name}`,
  explain: (served, browser, flow) => `Script injected into the page served over "${flow.name}" (stored or reflected by ${served}, or inline in the page) runs in ${browser} with the user's session and sees what they type.`,
});

/** Markup in data (a message, a name, an error detail) shown as HTML changes the page. */
export const markupInjectionRule = browserRule({
  id: 'browser-markup-injection',
  category: 'T',
  description: 'Data a page shows (messages, names, error details) can carry markup that changes the page when rendered as HTML.',
  title: (_served, flow) => `Markup in data shown by the page over ${flow.name}`,
  explain: (_served, browser, flow, assets) => `Text that other users or the server put into "${flow.name}" (${assets}) is rendered by ${browser} as HTML: fake forms, tracking images, event handlers.`,
});

/** Clickjacking: another site frames the page and steers the user's clicks. */
export const framingRule = browserRule({
  id: 'browser-framing',
  category: 'S',
  description: 'A page can be framed by another site that overlays it and makes the user click what the attacker chose (clickjacking).',
  title: (_served, flow) => `Clickjacking: another site frames the page over ${flow.name}`,
  explain: (served, browser, flow) => `Another site loads the page served over "${flow.name}" (by ${served}) in a transparent frame in ${browser}; the user's clicks act in their own session on the attacker's behalf.`,
});

/** CSRF: another site makes the browser send a request that carries the user's cookie. */
export const requestForgeryRule = browserRule({
  id: 'browser-request-forgery',
  category: 'S',
  description: 'On a flow the browser authenticates with ambient credentials (cookies), another site can make the browser send requests the user never meant (CSRF).',
  only: (flow) => flow.authenticated,
  title: (served, flow) => `Cross-site request forgery on ${flow.name} to ${served}`,
  explain: (served, browser, flow) => `A page on another site makes ${browser} send a state-changing request on "${flow.name}"; the browser attaches the user's cookie and ${served} takes it as theirs.`,
});

/** The shipped browser rules; they report nothing for a model without a `browser` entity. */
export const BROWSER_RULES: readonly Rule[] = [scriptInjectionRule, markupInjectionRule, framingRule, requestForgeryRule];
