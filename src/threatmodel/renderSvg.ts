import { layoutModel, type Box } from './layout.ts';
import type { DataFlow, Element, ThreatModel } from './model.ts';

const LEGEND_LINE = 18;
const MARGIN = 20;

/**
 * The dataflow diagram as SVG: trust boundaries dashed (nested ones inside their parents),
 * external entities as rectangles, processes as rounded boxes, data stores between two lines,
 * flows as numbered arrows explained in a legend below. Deterministic: no clock, no random,
 * fixed number formatting, so the committed file can be compared byte for byte.
 */
export function renderSvg(model: ThreatModel): string {
  const layout = layoutModel(model);
  const legendTop = MARGIN + layout.height + 24;
  const flows = [...model.flows];
  const width = Math.max(layout.width + 2 * MARGIN, 640);
  const height = legendTop + LEGEND_LINE * (flows.length + 2) + MARGIN;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(model.title)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
  ];
  const shift = (b: Box): Box => ({ ...b, x: b.x + MARGIN, y: b.y + MARGIN });
  for (const raw of layout.boundaries) {
    const b = shift(raw);
    const name = model.boundaries.find((x) => x.id === b.id)?.name ?? b.id;
    out.push(`<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" fill="none" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="8 5"/>`);
    out.push(`<text x="${b.x + 8}" y="${b.y + 15}" fill="#c0392b" font-style="italic">${escapeXml(name)}</text>`);
  }
  for (const element of model.elements) out.push(...drawElement(element, shift(layout.elements.get(element.id)!)));
  flows.forEach((flow, index) => {
    // Flows between the same two elements are drawn side by side, not on top of each other.
    const pair = flows.filter((f) => samePair(f, flow));
    const lane = pair.indexOf(flow) - (pair.length - 1) / 2;
    out.push(...drawFlow(flow, index + 1, lane * 12, shift(layout.elements.get(flow.from)!), shift(layout.elements.get(flow.to)!)));
  });
  out.push(`<text x="${MARGIN}" y="${legendTop}" font-weight="bold">Data flows</text>`);
  flows.forEach((flow, index) => {
    const tags = [flow.protocol, flow.encrypted ? 'encrypted' : 'NOT encrypted', flow.authenticated ? 'authenticated' : 'unauthenticated'];
    out.push(`<text x="${MARGIN}" y="${legendTop + LEGEND_LINE * (index + 1)}">${index + 1}. ${escapeXml(flow.name)} (${escapeXml(tags.join(', '))})</text>`);
  });
  out.push(`<text x="${MARGIN}" y="${legendTop + LEGEND_LINE * (flows.length + 1)}" fill="#c0392b">Dashed: trust boundaries. Rectangle: external entity; rounded: process; between lines: data store.</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function drawElement(element: Element, b: Box): string[] {
  const label = `<text x="${b.x + b.w / 2}" y="${b.y + b.h / 2 + 4}" text-anchor="middle">${escapeXml(element.name)}</text>`;
  const dash = element.optional ? ' stroke-dasharray="3 3"' : '';
  switch (element.kind) {
    case 'external':
      return [`<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" fill="#eef3fb" stroke="#2c3e50"${dash}/>`, label];
    case 'process':
      return [`<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="22" fill="#eefbf0" stroke="#1e7d32"${dash}/>`, label];
    case 'store':
      return [
        `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" fill="#fdf6e3" stroke="none"/>`,
        `<line x1="${b.x}" y1="${b.y}" x2="${b.x + b.w}" y2="${b.y}" stroke="#8a6d3b" stroke-width="2"/>`,
        `<line x1="${b.x}" y1="${b.y + b.h}" x2="${b.x + b.w}" y2="${b.y + b.h}" stroke="#8a6d3b" stroke-width="2"/>`,
        label,
      ];
  }
}

function samePair(a: DataFlow, b: DataFlow): boolean {
  return (a.from === b.from && a.to === b.to) || (a.from === b.to && a.to === b.from);
}

/** An arrow from box to box, moved sideways by `offset` (perpendicular to it), with its number. */
function drawFlow(flow: DataFlow, number: number, offset: number, from: Box, to: Box): string[] {
  const a = edgePoint(from, centre(to));
  const b = edgePoint(to, centre(from));
  const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  const [ox, oy] = [(-(b.y - a.y) / length) * offset, ((b.x - a.x) / length) * offset];
  const [x1, y1, x2, y2] = [a.x + ox, a.y + oy, b.x + ox, b.y + oy].map(fmt);
  const mx = fmt((a.x + b.x) / 2 + ox);
  const my = fmt((a.y + b.y) / 2 + oy);
  return [
    `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#333" stroke-width="1.2"${flow.encrypted ? '' : ' stroke-dasharray="2 3"'} marker-end="url(#arrow)"/>`,
    `<circle cx="${mx}" cy="${my}" r="9" fill="#fff" stroke="#333"/>`,
    `<text x="${mx}" y="${fmt(Number(my) + 4)}" text-anchor="middle" font-size="10">${number}</text>`,
  ];
}

function centre(b: Box): { x: number; y: number } {
  return { x: b.x + b.w / 2, y: b.y + b.h / 2 };
}

/** Where the line from the box's centre towards `p` leaves the box. */
function edgePoint(b: Box, p: { x: number; y: number }): { x: number; y: number } {
  const c = centre(b);
  const dx = p.x - c.x;
  const dy = p.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const scale = Math.min(dx === 0 ? Infinity : b.w / 2 / Math.abs(dx), dy === 0 ? Infinity : b.h / 2 / Math.abs(dy));
  return { x: c.x + dx * scale, y: c.y + dy * scale };
}

/** One decimal, no trailing zero: the same number always prints the same way. */
function fmt(n: number): string {
  const r = Math.round(n * 10) / 10;
  return (Object.is(r, -0) ? 0 : r).toString();
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
