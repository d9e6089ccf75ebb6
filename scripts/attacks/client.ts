// The HTTPS client of the attack checks: sends the path exactly as given (no URL
// normalisation, so `..` and `%2e%2e` reach the server as an attacker would send them), trusts
// only the purpose server's certificate, and gives up after a deadline instead of hanging.
import https from 'node:https';

/** Where to send: a purpose server's address and the certificate it presents. */
export interface Target {
  readonly port: number;
  readonly ca: string;
}

export interface RawRequest {
  readonly method: string;
  /** Sent as is (it must not contain characters Node refuses in a request line, e.g. spaces). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The body parsed as JSON, or undefined. */
  readonly json: unknown;
  readonly ms: number;
}

export interface SendOptions {
  /** Give up after this long (default 10 s). */
  readonly timeoutMs?: number;
  /** Reuse connections through this agent; default a connection of its own. */
  readonly agent?: https.Agent;
  /** Another loopback address (127.0.0.2, …) to send from: another client, as far as per-address limits go. */
  readonly localAddress?: string;
}

/** One request; rejects on a network error or when no answer came in time. */
export function send(target: Target, request: RawRequest, options: SendOptions = {}): Promise<RawResponse> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1',
      port: target.port,
      method: request.method,
      path: request.path,
      // Framed explicitly: Node sends a HEAD or GET body unframed otherwise (the server would read it as the next request).
      headers: { ...request.headers, ...(request.body !== undefined ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}) },
      ca: target.ca,
      servername: 'localhost',
      agent: options.agent ?? false,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ms: performance.now() - started });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** JSON in and out, with an optional credential (`Bearer …`, `Basic …`, `Capability …`). */
export async function sendJson(target: Target, method: string, path: string, options: { auth?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.authorization = options.auth;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return send(target, { method, path, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
}
