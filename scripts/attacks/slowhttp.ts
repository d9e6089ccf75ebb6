// slowhttptest against the purpose server's HTTPS port: slowloris (headers trickled in, -H)
// and slow body (R-U-Dead-Yet, -B). Meanwhile a normal client, from another loopback address
// (an attacker's connections count against its own address's cap, not everyone's), asks every
// 250 ms, alternating a public and an authenticated request: every answer must be a 200
// within PROBE_BOUND_MS. For slowloris the server must also have cut attack connections.
import { connectionsClosed, probeDuring, runSlowhttptest } from '../../test/helpers/slowClients.ts';
import { send } from './client.ts';
import { timed, type AttackContext, type StepResult } from './report.ts';

/** The longest a normal request may take while the attack runs. */
const PROBE_BOUND_MS = 2000;
const PROBE_EVERY_MS = 250;
/** The normal client's address: another client than the attacker's 127.0.0.1. */
const NORMAL_CLIENT_ADDRESS = '127.0.0.2';

interface Attack {
  readonly name: string;
  readonly args: readonly string[];
  /** The server must have closed some of the attack's connections before it ended. */
  readonly mustCut: boolean;
}

function attacks(ctx: AttackContext): Attack[] {
  const full = ctx.mode === 'full';
  // Full: 1000 connections, past the per-address cap (256), for 60 s; bounded: 200 for 15 s.
  const shape = full ? ['-c', '1000', '-r', '200', '-l', '60'] : ['-c', '200', '-r', '100', '-l', '15'];
  const url = `https://127.0.0.1:${ctx.server.port}`;
  return [
    { name: 'slowloris GET /healthz', args: ['-H', ...shape, '-i', '2', '-p', '3', '-u', `${url}/healthz`], mustCut: true },
    // As JSON, so the server has to read the body (another content type is refused at once).
    { name: 'slow body POST /v1/users', args: ['-B', ...shape, '-i', '2', '-p', '3', '-s', '8192', '-f', 'application/json', '-u', `${url}/v1/users`], mustCut: false },
  ];
}

/** Runs each slow attack while a normal client keeps asking. */
export async function runSlowHttp(ctx: AttackContext): Promise<StepResult[]> {
  const rows: StepResult[] = [];
  const alice = `Bearer ${ctx.seeded.tokens.alice}`;
  const probe = async (i: number) => {
    const request = i % 2 === 0 ? { method: 'GET', path: '/healthz' } : { method: 'GET', path: '/v1/users/me', headers: { authorization: alice } };
    return (await send(ctx.server, request, { timeoutMs: PROBE_BOUND_MS * 2, localAddress: NORMAL_CLIENT_ADDRESS })).status;
  };
  for (const attack of attacks(ctx)) {
    console.log(`== slowhttptest ${attack.name}: ${attack.args.join(' ')}`);
    rows.push(await timed('slowhttptest', attack.name, async () => {
      const { result: output, probes } = await probeDuring(runSlowhttptest(attack.args), probe, { startAfterMs: 2000, everyMs: PROBE_EVERY_MS });
      const connected = Number([...output.matchAll(/connected:\s+(\d+)/g)].map((m) => Number(m[1])).reduce((a, b) => Math.max(a, b), 0));
      const closed = connectionsClosed(output);
      const bad = probes.filter((p) => p.status !== 200 || p.ms > PROBE_BOUND_MS);
      const slowest = probes.reduce((m, p) => Math.max(m, p.ms), 0);
      const problems = [
        ...(connected === 0 ? ['the attack never connected'] : []),
        ...(probes.length < 10 ? [`only ${probes.length} normal requests`] : []),
        ...(bad.length > 0 ? [`${bad.length} normal requests failed or took over ${PROBE_BOUND_MS} ms (first: status ${bad[0]!.status}, ${bad[0]!.ms} ms)`] : []),
        ...(attack.mustCut && closed === 0 && !/No open connections left/.test(output) ? ['the server cut no attack connection'] : []),
        ...(ctx.server.alive() ? [] : ['the server died']),
      ];
      const summary = `up to ${connected} attack connections, ${closed} cut by the server; ${probes.length} normal requests, ${bad.length} failed, slowest ${slowest} ms`;
      return { ok: problems.length === 0, result: problems.length === 0 ? summary : `${problems.join('; ')} (${summary})` };
    }));
  }
  return rows;
}
