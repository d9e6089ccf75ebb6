/**
 * The run as a small hand-written SVG: requests/s (or new connections/s) per row as bars, then
 * the issue's ratios against their targets and the memory bound.
 */
import type { RunResult } from './RunResult.ts';

const WIDTH = 820;
const LABEL_WIDTH = 230;
const VALUE_WIDTH = 120;
const ROW = 26;
const TOP = 56;

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Gatehouse rows in one colour, the bare references and the peer stack in grey. */
function colour(gatehouse: boolean): string {
  return gatehouse ? '#2f6fb0' : '#9aa3ad';
}

export function renderChart(run: RunResult): string {
  const rows = run.scenarios.map((s) => ({
    name: s.name,
    rps: s.measured?.requestsPerSecond ?? 0,
    unit: s.unit === 'connections' ? 'conn/s' : 'req/s',
    gatehouse: s.gatehouse,
    failed: s.error !== undefined,
  }));
  // One scale per unit: keep-alive requests and new TLS connections differ by an order of magnitude.
  const maxOf = (unit: string) => Math.max(1, ...rows.filter((r) => r.unit === unit).map((r) => r.rps));
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20;
  const bars = rows.map((r, i) => {
    const y = TOP + i * ROW;
    const width = Math.max(1, Math.round((r.rps / maxOf(r.unit)) * barSpace));
    const value = r.failed ? 'failed' : `${Math.round(r.rps).toLocaleString('en-US')} ${r.unit}`;
    return [
      `<text x="${LABEL_WIDTH - 8}" y="${y + 17}" text-anchor="end">${escapeXml(r.name)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y + 4}" width="${width}" height="${ROW - 8}" fill="${colour(r.gatehouse)}"/>`,
      `<text x="${LABEL_WIDTH + width + 6}" y="${y + 17}">${value}</text>`,
    ].join('');
  });
  let y = TOP + rows.length * ROW + 30;
  const lines = [`<text x="12" y="${y}" font-size="14" font-weight="bold">Issue 11 ratios (targets in brackets)</text>`];
  for (const r of run.ratios) {
    y += 20;
    const bound = r.target === null ? '' : ` [${r.metric === 'p99' ? '≤' : '≥'} ${r.target}]`;
    const verdict = (r.met === null ? '' : r.met ? ' met' : ' NOT MET') + (r.met !== null && r.judgedOn === 'cpuEfficiency' ? ` (on CPU/req: ${r.cpuEfficiency?.toFixed(2)})` : '');
    const fill = r.met === false ? '#b03a2f' : r.met ? '#2f7a3a' : '#333';
    lines.push(`<text x="24" y="${y}" fill="${fill}">${escapeXml(`${r.label}: ${r.value === null ? '–' : r.value.toFixed(2)}${bound}${verdict}`)}</text>`);
  }
  const mem = run.memory;
  y += 20;
  lines.push(`<text x="24" y="${y}" fill="${mem.met === false ? '#b03a2f' : mem.met ? '#2f7a3a' : '#333'}">${escapeXml(`peak RSS of a Gatehouse server: ${mem.maxGatehouseRssMB === null ? '–' : mem.maxGatehouseRssMB.toFixed(0)} MB${mem.row ? ` (${mem.row})` : ''} [≤ ${mem.limitMB} MB]${mem.met === null ? '' : mem.met ? ' met' : ' NOT MET'}`)}</text>`);
  const height = y + 36;
  const subtitle = `${run.startedAt} · ${run.mode} (${run.settings.durationSeconds} s, ${run.settings.connections} connections, HTTPS keep-alive) · ${run.machine.cpuModel} · Node ${run.machine.nodeVersion}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="16" font-weight="bold">Gatehouse benchmark: throughput per scenario (one server core)</text>`,
    `<text x="12" y="42" font-size="11" fill="#555">${escapeXml(subtitle)}</text>`,
    ...bars,
    ...lines,
    `<text x="12" y="${height - 10}" font-size="11" fill="#555">blue: Gatehouse, full pipeline · grey: bare references and the peer stack · req/s and conn/s bars on separate scales · numbers in bench/results/*.json</text>`,
    '</svg>',
    '',
  ].join('\n');
}
