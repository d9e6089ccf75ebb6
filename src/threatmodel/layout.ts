import type { Element, ThreatModel } from './model.ts';

/** A placed box: an element or a trust boundary, absolute coordinates. */
export interface Box {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly elements: ReadonlyMap<string, Box>;
  /** Outermost first, so inner boundaries are drawn over outer ones. */
  readonly boundaries: readonly Box[];
}

const PAD = 16;
const LABEL = 20;
const GAP = 28;
const ELEMENT_HEIGHT = 48;
const CHAR_WIDTH = 7;

interface Node {
  readonly id: string;
  readonly element?: Element;
  readonly children: Node[];
  readonly depth: number;
}

/**
 * A simple layered layout: each boundary is a box around its children; inside it (and at the
 * top level) children stand in columns by their distance from the external entities along
 * the flows, so data reads from left to right; a column stacks its children top to bottom
 * (by id). Integer arithmetic on the model only: the same model always gives the same layout.
 */
export function layoutModel(model: ThreatModel): Layout {
  const rank = flowRanks(model);
  const build = (parent: string | undefined, depth: number): Node[] => {
    const boundaries = model.boundaries.filter((b) => b.parent === parent)
      .map((b): Node => ({ id: b.id, children: build(b.id, depth + 1), depth }));
    const elements = model.elements.filter((e) => e.boundary === parent)
      .map((e): Node => ({ id: e.id, element: e, children: [], depth }));
    return [...elements, ...boundaries].sort((a, b) => compare(a.id, b.id));
  };
  const root: Node = { id: '', children: build(undefined, 0), depth: -1 };
  const elements = new Map<string, Box>();
  const boundaries: Box[] = [];
  const size = measure(root, rank);
  place(root, 0, 0, rank, elements, boundaries);
  return { width: size.w, height: size.h, elements, boundaries };
}

/** The node's children grouped into columns by rank, lowest rank first. */
function columns(node: Node, rank: Map<string, number>): Node[][] {
  const byRank = new Map<number, Node[]>();
  for (const child of node.children) {
    const r = nodeRank(child, rank);
    byRank.set(r, [...(byRank.get(r) ?? []), child]);
  }
  return [...byRank.keys()].sort((a, b) => a - b).map((r) => byRank.get(r)!);
}

function measure(node: Node, rank: Map<string, number>): { w: number; h: number } {
  if (node.element) return { w: Math.max(120, node.element.name.length * CHAR_WIDTH + 24), h: ELEMENT_HEIGHT };
  const cols = columns(node, rank).map((col) => {
    const sizes = col.map((c) => measure(c, rank));
    return { w: Math.max(...sizes.map((s) => s.w)), h: sum(sizes.map((s) => s.h)) + GAP * (sizes.length - 1) };
  });
  const inner = { w: sum(cols.map((c) => c.w)) + GAP * Math.max(0, cols.length - 1), h: Math.max(0, ...cols.map((c) => c.h)) };
  return { w: inner.w + 2 * PAD, h: inner.h + 2 * PAD + (node.depth >= 0 ? LABEL : 0) };
}

function place(node: Node, x: number, y: number, rank: Map<string, number>, elements: Map<string, Box>, boundaries: Box[]): void {
  const size = measure(node, rank);
  if (node.element) {
    elements.set(node.id, { id: node.id, x, y, ...size });
    return;
  }
  if (node.depth >= 0) boundaries.push({ id: node.id, x, y, ...size });
  const top = y + PAD + (node.depth >= 0 ? LABEL : 0);
  const innerHeight = size.h - 2 * PAD - (node.depth >= 0 ? LABEL : 0);
  let cx = x + PAD;
  for (const col of columns(node, rank)) {
    const sizes = col.map((c) => measure(c, rank));
    const colWidth = Math.max(...sizes.map((s) => s.w));
    const colHeight = sum(sizes.map((s) => s.h)) + GAP * (sizes.length - 1);
    // Centre each column vertically and each child horizontally within its column.
    let cy = top + Math.floor((innerHeight - colHeight) / 2);
    col.forEach((child, i) => {
      place(child, cx + Math.floor((colWidth - sizes[i]!.w) / 2), cy, rank, elements, boundaries);
      cy += sizes[i]!.h + GAP;
    });
    cx += colWidth + GAP;
  }
}

/**
 * Distance of each element from the nearest external entity, following flows either way (a
 * store that only feeds a process sits next to it). Unreachable elements go last.
 */
function flowRanks(model: ThreatModel): Map<string, number> {
  const rank = new Map<string, number>();
  let frontier = model.elements.filter((e) => e.kind === 'external').map((e) => e.id).sort();
  for (let distance = 0; frontier.length > 0; distance++) {
    for (const id of frontier) rank.set(id, distance);
    const next = model.flows.flatMap((f) => (frontier.includes(f.from) ? [f.to] : frontier.includes(f.to) ? [f.from] : []));
    frontier = [...new Set(next)].filter((id) => !rank.has(id)).sort();
  }
  return rank;
}

function nodeRank(node: Node, rank: Map<string, number>): number {
  if (node.element) return rank.get(node.id) ?? 1000;
  return Math.min(1000, ...node.children.map((c) => nodeRank(c, rank)));
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
