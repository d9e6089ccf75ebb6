// After the attacks: the audit log's hash chain must still verify, asked two ways: the
// running server (GET /v1/audit/verify as the administrator) and, once it has stopped and
// flushed, the command line on the same data (`gatehouse audit verify --json`).
import { sendJson } from './client.ts';
import { timed, type AttackContext, type StepResult } from './report.ts';

/** GET /v1/audit/verify as root: {ok, checked, firstBadId?}. */
export function verifyThroughApi(ctx: AttackContext): Promise<StepResult> {
  return timed('audit chain', 'GET /v1/audit/verify', async () => {
    const res = await sendJson(ctx.server, 'GET', '/v1/audit/verify', { auth: `Bearer ${ctx.seeded.tokens.root}` });
    const body = res.json as { ok?: boolean; checked?: number; firstBadId?: string } | undefined;
    const ok = res.status === 200 && body?.ok === true;
    return { ok, result: ok ? `intact, ${body?.checked} records checked` : `status ${res.status}: ${res.text.slice(0, 200)}` };
  });
}

/** `gatehouse audit verify --json` on the stopped server's data directory. */
export function verifyThroughCli(ctx: AttackContext): Promise<StepResult> {
  return timed('audit chain', 'gatehouse audit verify (after stop)', async () => {
    const run = ctx.server.cli(['audit', 'verify', '--json']);
    const line = run.stdout.trim().split('\n').at(-1) ?? '';
    let body: { ok?: boolean; checked?: number } | undefined;
    try { body = JSON.parse(line); } catch { body = undefined; }
    const ok = run.status === 0 && body?.ok === true;
    return { ok, result: ok ? `intact, ${body?.checked} records checked` : `exit ${run.status}: ${(run.stdout + run.stderr).slice(0, 300)}` };
  });
}
