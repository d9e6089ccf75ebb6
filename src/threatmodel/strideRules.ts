import type { ElementKind } from './model.ts';
import type { Rule } from './rule.ts';
import { STRIDE_NAMES, type StrideCategory, type ThreatDraft } from './threat.ts';

/**
 * STRIDE per element (Microsoft SDL, as in book §1.4.3): which categories apply to each kind
 * of element. A data store adds repudiation only when it holds logs: then it is the evidence.
 */
export const STRIDE_PER_ELEMENT: Readonly<Record<ElementKind | 'flow', readonly StrideCategory[]>> = {
  external: ['S', 'R'],
  process: ['S', 'T', 'R', 'I', 'D', 'E'],
  store: ['T', 'I', 'D'],
  flow: ['T', 'I', 'D'],
};

/** The categories STRIDE-per-element gives one element. */
export function strideCategoriesFor(kind: ElementKind | 'flow', holdsLogs = false): StrideCategory[] {
  const base = [...STRIDE_PER_ELEMENT[kind]];
  return kind === 'store' && holdsLogs ? ['T', 'R', 'I', 'D'] : base;
}

const WHAT: Readonly<Record<StrideCategory, string>> = {
  S: 'someone pretends to be',
  T: 'someone modifies',
  R: 'an action cannot be traced to whoever did it, through',
  I: 'information leaks from',
  D: 'someone makes unavailable',
  E: 'someone gains rights they should not have in',
};

/** One threat per applicable STRIDE category for every element and every flow. */
export const strideElementRule: Rule = {
  id: 'stride-per-element',
  description: 'STRIDE per element: external entity S,R; process S,T,R,I,D,E; data store T,I,D (+R if it holds logs); data flow T,I,D.',
  apply({ model }) {
    const drafts: ThreatDraft[] = [];
    for (const element of model.elements) {
      const holdsLogs = element.kind === 'store' && element.holdsLogs === true;
      for (const category of strideCategoriesFor(element.kind, holdsLogs)) {
        drafts.push({
          category,
          subject: element.id,
          title: `${STRIDE_NAMES[category]}: ${element.name}`,
          description: `${capitalize(WHAT[category])} ${element.name} (${element.kind}).`,
        });
      }
    }
    for (const flow of model.flows) {
      for (const category of strideCategoriesFor('flow')) {
        drafts.push({
          category,
          subject: flow.id,
          title: `${STRIDE_NAMES[category]}: ${flow.name}`,
          description: `${capitalize(WHAT[category])} the flow "${flow.name}" (${flow.protocol}).`,
        });
      }
    }
    return drafts;
  },
};

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
