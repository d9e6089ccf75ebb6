import type { RouteEntry } from '../index.ts';

/**
 * Methods refused on every path with 405: TRACE echoes the request back, cookies and
 * Authorization included, which is what cross-site tracing (XST) reads. It was never served,
 * but a 404 made scanners (nmap http-methods) count TRACE as allowed, since it answered
 * otherwise than an unknown method. (IIS's TRACK is no method to Node's parser: 400 there.)
 * Other methods a path does not serve stay 404 (test/authz/matrix.test.ts).
 */
export const NEVER_SERVED_METHODS: ReadonlySet<string> = new Set(['TRACE']);

/**
 * The methods the routes serve at a concrete path (for the `Allow` header a 405 must carry,
 * RFC 9110 §15.5.6). Patterns are compiled on first use, when every route is registered.
 */
export function methodsServedAt(routes: readonly RouteEntry[]): (path: string) => string[] {
  let compiled: { method: string; pattern: RegExp }[] | undefined;
  return (path) => {
    compiled ??= routes.map((r) => ({
      method: r.method,
      pattern: new RegExp(`^${r.url.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : s === '*' ? '.*' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`),
    }));
    const pathOnly = path.split('?')[0] ?? '';
    return [...new Set(compiled.filter((r) => r.pattern.test(pathOnly)).map((r) => r.method))].sort();
  };
}
