import { BROWSER_RULES } from './browserRules.ts';
import { INTERACTION_RULES } from './interactionRules.ts';
import type { Rule } from './rule.ts';
import { strideElementRule } from './strideRules.ts';

/** The rules every shipped model is checked with. Add a custom rule by extending this list. */
export const DEFAULT_RULES: readonly Rule[] = [strideElementRule, ...INTERACTION_RULES, ...BROWSER_RULES];
