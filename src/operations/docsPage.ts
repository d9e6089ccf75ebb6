import { ERROR_CODES, type ErrorCode } from '../errors/codes.ts';

interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  'x-gatehouse-policy'?: string;
}

interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
table{border-collapse:collapse;width:100%;margin:1rem 0 2rem}th,td{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left;vertical-align:top}
code{font:13px ui-monospace,monospace;background:#f3f3f5;padding:0 .25rem;border-radius:3px}.m{font-weight:600;font-family:ui-monospace,monospace}`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Renders the OpenAPI document as one static HTML page: every route with its policy, and the
 * error-code registry (problem `type` URIs point at its anchors). No script, so the page can
 * be served under a CSP that forbids all scripts.
 */
export function renderDocsPage(spec: OpenApiDocument): { html: string; style: string } {
  const rows: string[] = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (method === 'head') continue;
      rows.push(`<tr><td class="m">${method.toUpperCase()}</td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary ?? '')}${op.description ? `<br><small>${escapeHtml(op.description)}</small>` : ''}</td><td>${escapeHtml(op['x-gatehouse-policy'] ?? '')}</td></tr>`);
    }
  }
  const errors = (Object.keys(ERROR_CODES) as ErrorCode[]).map(
    (code) => `<tr id="error-${code}"><td><code>${code}</code></td><td>${ERROR_CODES[code].status}</td><td>${escapeHtml(ERROR_CODES[code].title)}</td></tr>`,
  );
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(spec.info.title)} API reference</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(spec.info.title)} <small>${escapeHtml(spec.info.version)}</small></h1>
<p>${escapeHtml(spec.info.description ?? '')} The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p>
<h2>Routes</h2><table><thead><tr><th>Method</th><th>Path</th><th>What</th><th>Access policy</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<h2 id="errors">Error codes</h2><p>Errors are <code>application/problem+json</code> with a stable <code>code</code>:</p>
<table><thead><tr><th>code</th><th>status</th><th>meaning</th></tr></thead><tbody>${errors.join('')}</tbody></table></body></html>`;
  return { html, style: STYLE };
}
