import https from 'node:https';

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: any;
  /** The body as sent (e.g. Prometheus text from /metrics). */
  readonly text: string;
}

/**
 * A JSON client for one address (an instance or the balancer) over a keep-alive TLS agent
 * that trusts only the deployment's certificate. Connection errors resolve as status 0, so a
 * load loop can count them instead of aborting.
 */
export function jsonClient(port: number, ca: string, maxSockets = 16) {
  const agent = new https.Agent({ keepAlive: true, maxSockets, ca, servername: 'localhost' });
  const request = (method: string, path: string, options: { token?: string; cookie?: string; csrf?: string; body?: unknown; basic?: string } = {}) =>
    new Promise<Reply>((resolve) => {
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
      const headers: Record<string, string> = {};
      if (payload !== undefined) headers['content-type'] = 'application/json';
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.basic) headers.authorization = options.basic;
      if (options.cookie) headers.cookie = options.cookie;
      if (options.csrf) headers['x-csrf-token'] = options.csrf;
      const req = https.request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text });
        });
        res.on('error', () => resolve({ status: 0, headers: {}, json: undefined, text: '' }));
      });
      req.on('error', () => resolve({ status: 0, headers: {}, json: undefined, text: '' }));
      req.end(payload);
    });
  return Object.assign(request, { close: () => agent.destroy() });
}

export type JsonClient = ReturnType<typeof jsonClient>;
