import { crossedBoundaries, crossing } from './boundaries.ts';
import type { ThreatModel } from './model.ts';
import type { Rule, RuleContext } from './rule.ts';
import { threatId, type Threat } from './threat.ts';
import { validateModel } from './validateModel.ts';

/**
 * Applies every rule to the model. Threats come out sorted by id, so the output does not
 * depend on the order of the rules or of the model's lists. Throws on an invalid model.
 */
export function generateThreats(model: ThreatModel, rules: readonly Rule[]): Threat[] {
  const problems = validateModel(model);
  if (problems.length > 0) throw new Error(`invalid threat model "${model.name}": ${problems.join('; ')}`);
  const context = ruleContext(model);
  const byId = new Map<string, Threat>();
  for (const rule of rules) {
    for (const draft of rule.apply(context)) {
      const id = threatId(rule.id, draft.category, draft.subject, draft.related);
      const flow = model.flows.find((f) => f.id === draft.subject);
      const crossed = flow ? crossedBoundaries(context.crossingOf(flow)) : [];
      // Two rules may not claim the same id; one rule reporting a threat twice is one threat.
      if (byId.has(id) && byId.get(id)!.ruleId !== rule.id) throw new Error(`threat id collision ${id}`);
      byId.set(id, { ...draft, id, ruleId: rule.id, ...(flow ? { flow: flow.id } : {}), crossedBoundaries: crossed });
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function ruleContext(model: ThreatModel): RuleContext {
  return {
    model,
    element(id) {
      const element = model.elements.find((e) => e.id === id);
      if (!element) throw new Error(`unknown element ${id}`);
      return element;
    },
    crossingOf: (flow) => crossing(model, flow.from, flow.to),
    assetNames: (flow) => flow.data.map((id) => model.assets.find((a) => a.id === id)?.name ?? id),
  };
}
