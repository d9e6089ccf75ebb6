import type { DataFlow } from './model.ts';
import type { Rule, RuleContext } from './rule.ts';
import type { ThreatDraft } from './threat.ts';

/**
 * Rules about interactions, driven by the trust boundaries a flow crosses over the whole
 * nesting (boundaries.ts): what crosses into a more trusted zone must be authenticated,
 * protected in transit and unable to raise the sender's rights there.
 */

function crossingFlows(context: RuleContext): { flow: DataFlow; names: string }[] {
  return context.model.flows.flatMap((flow) => {
    const { leaves, enters } = context.crossingOf(flow);
    if (leaves.length + enters.length === 0) return [];
    const name = (id: string) => context.model.boundaries.find((b) => b.id === id)?.name ?? id;
    return [{ flow, names: [...leaves, ...[...enters].reverse()].map(name).join(', ') }];
  });
}

/** Flows entering a boundary: the receiver must know who the sender is. */
export const spoofedSenderRule: Rule = {
  id: 'crossing-spoofed-sender',
  description: 'A flow that enters a trust boundary can come from an impostor of its source.',
  apply(context) {
    return crossingFlows(context)
      .filter(({ flow }) => context.crossingOf(flow).enters.length > 0)
      .map(({ flow, names }): ThreatDraft => {
        const from = context.element(flow.from);
        const to = context.element(flow.to);
        return {
          category: 'S',
          subject: flow.id,
          related: [flow.from],
          title: `Spoofing across ${names}: ${from.name} → ${to.name}`,
          description: `${to.name} receives "${flow.name}" from outside ${names}; an impostor of ${from.name} could send it${flow.authenticated ? '' : ' (the flow is modelled as unauthenticated)'}.`,
        };
      });
  },
};

/** Flows crossing any boundary without encryption: readable and changeable on the way. */
export const unprotectedTransitRule: Rule = {
  id: 'crossing-unprotected-transit',
  description: 'A flow crossing a trust boundary without encryption can be read or changed in transit.',
  apply(context) {
    return crossingFlows(context)
      .filter(({ flow }) => !flow.encrypted)
      .flatMap(({ flow, names }): ThreatDraft[] => (['I', 'T'] as const).map((category) => ({
        category,
        subject: flow.id,
        title: `${category === 'I' ? 'Eavesdropping' : 'Modification'} in transit across ${names}: ${flow.name}`,
        description: `"${flow.name}" (${flow.protocol}) crosses ${names} unencrypted, carrying ${context.assetNames(flow).join(', ') || 'no named asset'}.`,
      })));
  },
};

/** A process receiving data from a less trusted zone: input may raise the sender's rights. */
export const elevationFromOutsideRule: Rule = {
  id: 'crossing-elevation',
  description: 'A process that receives a flow from outside one of its boundaries can be driven to act beyond the sender\'s rights.',
  apply(context) {
    return crossingFlows(context)
      .filter(({ flow }) => context.element(flow.to).kind === 'process' && context.crossingOf(flow).enters.length > 0)
      .map(({ flow, names }): ThreatDraft => ({
        category: 'E',
        subject: flow.id,
        related: [flow.to],
        title: `Elevation of privilege via ${flow.name} into ${context.element(flow.to).name}`,
        description: `Input crossing ${names} (e.g. injection, a forged or widened credential) makes ${context.element(flow.to).name} act beyond what ${context.element(flow.from).name} may do.`,
      }));
  },
};

/** A process flooded from across a boundary: the sender pays little, the receiver a lot. */
export const floodFromOutsideRule: Rule = {
  id: 'crossing-flood',
  description: 'A process reachable across a trust boundary can be flooded from there.',
  apply(context) {
    return crossingFlows(context)
      .filter(({ flow }) => context.element(flow.to).kind === 'process' && context.crossingOf(flow).enters.length > 0)
      .map(({ flow, names }): ThreatDraft => ({
        category: 'D',
        subject: flow.id,
        related: [flow.to],
        title: `Flooding ${context.element(flow.to).name} across ${names}`,
        description: `Many, large or slow requests on "${flow.name}" exhaust ${context.element(flow.to).name}.`,
      }));
  },
};

/**
 * Actions that an external entity causes across a boundary must be attributable to it later
 * (accountability assets): the receiving process must record them.
 */
export const unaccountableActionRule: Rule = {
  id: 'crossing-repudiation',
  description: 'An external entity acting across a trust boundary can deny having done so unless the receiver records it.',
  apply(context) {
    return crossingFlows(context)
      .filter(({ flow }) => context.element(flow.from).kind === 'external' && context.element(flow.to).kind === 'process')
      .map(({ flow, names }): ThreatDraft => ({
        category: 'R',
        subject: flow.id,
        related: [flow.from],
        title: `Repudiation of actions via ${flow.name}`,
        description: `${context.element(flow.from).name} acts on ${context.element(flow.to).name} across ${names} and later denies it.`,
      }));
  },
};

/** The shipped interaction rules, in the order their threats are explained in the report. */
export const INTERACTION_RULES: readonly Rule[] = [
  spoofedSenderRule,
  unprotectedTransitRule,
  elevationFromOutsideRule,
  floodFromOutsideRule,
  unaccountableActionRule,
];
