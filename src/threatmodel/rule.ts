import type { Crossing } from './boundaries.ts';
import type { DataFlow, Element, ThreatModel } from './model.ts';
import type { ThreatDraft } from './threat.ts';

/** What a rule may look at: the model plus precomputed lookups. */
export interface RuleContext {
  readonly model: ThreatModel;
  element(id: string): Element;
  /** The boundaries a flow leaves and enters (whole nesting). */
  crossingOf(flow: DataFlow): Crossing;
  /** Asset names carried by a flow, for readable descriptions. */
  assetNames(flow: DataFlow): string[];
}

/**
 * A rule is a pure function from the model to threats. Custom rules are added by passing a
 * longer list to generateThreats: the engine never names a rule.
 */
export interface Rule {
  /** Stable id: part of every threat id it produces, so never rename a shipped rule. */
  readonly id: string;
  readonly description: string;
  apply(context: RuleContext): readonly ThreatDraft[];
}
