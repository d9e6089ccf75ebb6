// Raw keep-alive TLS requests and the audit/metric counts the flood-gate tests compare
// (test/pipeline/ratelimit/floodGate*.test.ts).
import tls from 'node:tls';
import type { TestServer } from '../../helpers/testServer.ts';

export interface RawResponse {
  readonly status: number;
  /** Status line and header lines exactly as sent. */
  readonly head: string;
  readonly body: string;
  header(name: string): string | undefined;
}

/** One keep-alive TLS connection, sending raw requests one at a time and reading raw responses. */
export async function rawConnection(server: TestServer) {
  const port = Number(new URL(server.url).port);
  const socket = tls.connect({ host: '127.0.0.1', port, ca: server.ca, servername: 'localhost' });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  let buffered = Buffer.alloc(0);
  let waiting: { resolve: () => void; reject: (err: Error) => void } | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    waiting?.resolve();
  });
  socket.on('close', () => waiting?.reject(new Error('connection closed')));
  const more = () => new Promise<void>((resolve, reject) => {
    waiting = { resolve, reject };
  });
  return {
    async send(method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<RawResponse> {
      const lines = [`${method} ${path} HTTP/1.1`, 'host: localhost', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      if (body) lines.push(`content-length: ${Buffer.byteLength(body)}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) < 0) await more();
      const head = buffered.subarray(0, end).toString('latin1');
      const length = method === 'HEAD' ? 0 : Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
      while (buffered.length < end + 4 + length) await more();
      const text = buffered.subarray(end + 4, end + 4 + length).toString('utf8');
      buffered = buffered.subarray(end + 4 + length);
      const fields = head.split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 2)] as const);
      return { status: Number(head.split(' ')[1]), head, body: text, header: (name) => fields.find(([k]) => k === name)?.[1] };
    },
    close: () => socket.destroy(),
  };
}

/** The response with what must differ between two requests (request id, Date) blanked. */
export function comparable(res: RawResponse): string {
  const id = res.header('x-request-id') ?? 'none';
  return `${res.head}\r\n\r\n${res.body}`.replaceAll(id, '<id>').replace(/\r\ndate: [^\r]+/i, '\r\ndate: <date>');
}

export function gateAnswered(server: TestServer): number {
  return server.app.metrics.floodGate.answered;
}

/** Every 429 the audit log accounts for from this address: full records plus the summaries' counts. */
export async function audited429s(server: TestServer, address: string): Promise<number> {
  await server.app.auditLog.flush();
  const rows = await server.database.db.selectFrom('audit_log').select(['reason', 'status', 'phase']).where('client_address', '=', address).where('phase', '=', 'outcome').where('status', '=', 429).execute();
  return rows.reduce((n, r) => n + Number(/aggregated: (\d+) rejections/.exec(r.reason)?.[1] ?? 1), 0);
}
