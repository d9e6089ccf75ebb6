import http from 'node:http';

/**
 * An optional plain-HTTP listener that serves nothing but a redirect to the HTTPS origin.
 * It never reads a body or runs the pipeline: there is nothing to protect on it, and a
 * client that followed a plain link gets moved to TLS at once (HSTS keeps it there).
 */
export function createRedirectServer(httpsPort: number): http.Server {
  const server = http.createServer((req, res) => {
    const host = hostWithoutPort(req.headers.host) ?? 'localhost';
    const location = `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}${safePath(req.url)}`;
    res.writeHead(308, { location, 'content-length': '0', 'cache-control': 'no-store', connection: 'close' });
    res.end();
  });
  server.headersTimeout = 5_000;
  server.requestTimeout = 5_000;
  server.keepAliveTimeout = 1_000;
  return server;
}

/** The Host header's name part, only if it looks like a host name or address (no header injection, no odd schemes). */
function hostWithoutPort(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})(?::\d{1,5})?$/.exec(host);
  return m?.[1];
}

function safePath(url: string | undefined): string {
  return url && url.startsWith('/') && !url.startsWith('//') ? url : '/';
}
