import type { ThreatModel } from './model.ts';

/**
 * The boundaries an element sits in, innermost first, following `parent` to the top.
 * Throws on a cycle or an unknown boundary: validateModel reports those first.
 */
export function boundaryChain(model: ThreatModel, boundaryId: string | undefined): string[] {
  const chain: string[] = [];
  let current = boundaryId;
  while (current !== undefined) {
    if (chain.includes(current)) throw new Error(`trust boundary cycle at ${current}`);
    const boundary = model.boundaries.find((b) => b.id === current);
    if (!boundary) throw new Error(`unknown trust boundary ${current}`);
    chain.push(current);
    current = boundary.parent;
  }
  return chain;
}

/** Which boundaries a flow leaves and which it enters, over the whole nesting. */
export interface Crossing {
  /** Boundaries around the source that do not contain the target, innermost first. */
  readonly leaves: readonly string[];
  /** Boundaries around the target that do not contain the source, innermost first. */
  readonly enters: readonly string[];
}

/**
 * The boundaries crossed going from `from` to `to`: every boundary that contains exactly one
 * of them. Crossing from inside A.B to outside A crosses B and A, not just the innermost one.
 */
export function crossing(model: ThreatModel, fromElement: string, toElement: string): Crossing {
  const from = boundaryChain(model, elementBoundary(model, fromElement));
  const to = boundaryChain(model, elementBoundary(model, toElement));
  return { leaves: from.filter((b) => !to.includes(b)), enters: to.filter((b) => !from.includes(b)) };
}

/** All boundaries crossed, leaving ones first (innermost out), then entering ones (outermost in). */
export function crossedBoundaries(c: Crossing): string[] {
  return [...c.leaves, ...[...c.enters].reverse()];
}

function elementBoundary(model: ThreatModel, elementId: string): string | undefined {
  const element = model.elements.find((e) => e.id === elementId);
  if (!element) throw new Error(`unknown element ${elementId}`);
  return element.boundary;
}
