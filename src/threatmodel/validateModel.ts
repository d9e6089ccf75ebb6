import type { ThreatModel } from './model.ts';

/** Problems that make a model meaningless (dangling references, duplicate ids, cycles). */
export function validateModel(model: ThreatModel): string[] {
  const problems: string[] = [];
  const ids = [...model.boundaries, ...model.elements, ...model.flows, ...model.assets].map((x) => x.id);
  for (const id of new Set(ids)) if (ids.filter((x) => x === id).length > 1) problems.push(`duplicate id "${id}"`);
  const boundaries = new Set(model.boundaries.map((b) => b.id));
  const elements = new Set(model.elements.map((e) => e.id));
  const assets = new Set(model.assets.map((a) => a.id));
  for (const b of model.boundaries) {
    if (b.parent !== undefined && !boundaries.has(b.parent)) problems.push(`boundary "${b.id}": unknown parent "${b.parent}"`);
    if (inCycle(model, b.id)) problems.push(`boundary "${b.id}" is its own ancestor`);
  }
  for (const e of model.elements) {
    if (e.boundary !== undefined && !boundaries.has(e.boundary)) problems.push(`element "${e.id}": unknown boundary "${e.boundary}"`);
  }
  for (const f of model.flows) {
    if (!elements.has(f.from)) problems.push(`flow "${f.id}": unknown source "${f.from}"`);
    if (!elements.has(f.to)) problems.push(`flow "${f.id}": unknown target "${f.to}"`);
    if (f.from === f.to) problems.push(`flow "${f.id}" goes from an element to itself`);
    for (const a of f.data) if (!assets.has(a)) problems.push(`flow "${f.id}": unknown asset "${a}"`);
  }
  return problems;
}

function inCycle(model: ThreatModel, start: string): boolean {
  const seen = new Set<string>();
  let current: string | undefined = model.boundaries.find((b) => b.id === start)?.parent;
  while (current !== undefined && !seen.has(current)) {
    if (current === start) return true;
    seen.add(current);
    current = model.boundaries.find((b) => b.id === current)?.parent;
  }
  return false;
}
