// The authorization matrix (OWASP API Top 10, API1 broken object-level authorization, and
// API5 broken function-level authorization): every route of the LIVE route table, called by
// every kind of caller, on their own and on someone else's objects, answers exactly the
// status written in expectations.ts. A route added without an entry there fails this test.
// Then the ways around a route: other methods, path variants (trailing slash, case, encoded
// dots, double slashes) and other users' ids.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { fakeClock, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { EXPECTATIONS, type Case } from './expectations.ts';
import { CALLERS, createCast, createWorld, type Cast, type World } from './world.ts';

describe('authorization matrix over the live route table', () => {
  const clock = fakeClock();
  let server: TestServer;
  let cast: Cast;
  let shared: World;
  let counter = 0;
  const unique = () => String(++counter);
  const app = () => server.app.fastify;

  before(async () => {
    server = await startTestServer({ clock, listen: true });
    cast = await createCast(app(), server);
    shared = await createWorld(app(), cast, clock());
  });
  after(() => server.close());

  const routeKey = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

  it('has an expectation for every live route, and none for routes that do not exist', () => {
    const live = new Set(server.app.routes.filter((r) => r.method !== 'HEAD').map(routeKey));
    assert.deepEqual([...live].filter((k) => !(k in EXPECTATIONS)), [], 'routes without a row in expectations.ts');
    assert.deepEqual(Object.keys(EXPECTATIONS).filter((k) => !live.has(k)), [], 'rows for routes that are not served');
    assert.ok(live.size >= 35);
  });

  async function run(method: string, c: Case, caller: (typeof CALLERS)[number]): Promise<string | undefined> {
    const world = c.fresh ? await createWorld(app(), cast, clock()) : shared;
    const { url, body } = c.request(world, caller, { cast, unique });
    const res = await app().inject({ method: method as 'GET', url, headers: world.auth[caller], ...(body !== undefined ? { payload: body as object } : {}) });
    const want = c.expect[caller];
    return res.statusCode === want ? undefined : `${method} ${url} [${c.variant}] as ${caller}: ${res.statusCode}, expected ${want} ${res.body.slice(0, 120)}`;
  }

  it('answers every route × caller × object exactly as the policy says', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const route of server.app.routes) {
      // HEAD is served by Fastify for every GET route and must decide exactly like it.
      const cases = EXPECTATIONS[routeKey({ method: route.method === 'HEAD' ? 'GET' : route.method, url: route.url })] ?? [];
      for (const c of cases) {
        for (const caller of CALLERS) {
          const problem = await run(route.method, c, caller);
          if (problem) mismatches.push(problem);
          checked++;
        }
      }
    }
    assert.deepEqual(mismatches, []);
    assert.ok(checked > 600, `only ${checked} requests checked`);
  });

  it('answers 404 to methods a path does not serve, whoever asks', async () => {
    const byPath = new Map<string, Set<string>>();
    for (const r of server.app.routes) byPath.set(r.url, (byPath.get(r.url) ?? new Set()).add(r.method));
    const fill = (url: string) => url
      .replace(':spaceId', shared.spaceId).replace(':messageId', shared.messageBy.extra!).replace(':capId', shared.capabilityInSpace)
      .replace(':tokenId', cast.victimTokenId).replace(':username', 'victim');
    // A concrete path may also be another route's pattern with a parameter (DELETE
    // /v1/users/me/mfa/webauthn/options is DELETE …/webauthn/:passkeyId): that method is served.
    const servedElsewhere = (method: string, path: string) => server.app.routes.some((r) =>
      r.method === method && new RegExp(`^${r.url.replace(/:[A-Za-z]+/g, '[^/]+')}$`).test(path));
    const wrong: string[] = [];
    for (const [url, methods] of byPath) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        if (methods.has(method) || servedElsewhere(method, fill(url))) continue;
        for (const caller of ['anonymous', 'owner', 'admin', 'capReadPost'] as const) {
          const res = await app().inject({ method, url: fill(url), headers: shared.auth[caller], payload: method === 'GET' ? undefined : {} });
          if (res.statusCode !== 404) wrong.push(`${method} ${url} as ${caller}: ${res.statusCode}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  /** A request whose path goes over the wire byte for byte (URL parsing would normalise it). */
  function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const { hostname, port } = new URL(server.url);
      const req = https.request({ hostname, port, path, method: 'GET', headers, ca: server.ca, servername: 'localhost', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('does not open a route through path variants (trailing slash, case, encoded dots, double slashes)', async () => {
    const s = shared.spaceId;
    const variants = [
      `/v1/spaces/${s}/messages/`, `/V1/spaces/${s}/messages`, `/v1/SPACES/${s}/messages`, `/v1/spaces/${s}/Messages`,
      `/v1/spaces/%2e%2e/messages`, `/v1/spaces/%2E%2E/spaces/${s}/messages`, `/v1/spaces/${s}/messages/%2e%2e`,
      `/v1/spaces/${s}%2fmessages`, `//v1/spaces/${s}/messages`, `/v1//spaces/${s}/messages`, `/v1/spaces/${s}/./messages`,
      `/v1/spaces/x/../${s}/messages`, `/v1/spaces/..%2f${s}/messages`, `/v1/admin/users/`, `/V1/ADMIN/USERS`,
      `/v1/admin/%2e%2e/audit`, `/v1/audit/`, `/v1/spaces/${s}%00/messages`, `/v1/spaces/${s}/messages;x=1`,
    ];
    const opened: string[] = [];
    for (const path of variants) {
      // None of these callers may read the space or the admin routes by any spelling of the path.
      for (const caller of ['anonymous', 'outsider', 'admin', 'capOther'] as const) {
        const res = await rawGet(path, shared.auth[caller]);
        if (res.status < 400 || /by (own|mem|moddy|extra)/.test(res.body)) opened.push(`${path} as ${caller}: ${res.status}`);
      }
      // A member may reach their own space by a variant the server resolves, but never crashes it.
      const member = await rawGet(path, shared.auth.member);
      if (member.status >= 500) opened.push(`${path} as member: ${member.status}`);
    }
    assert.deepEqual(opened, []);
  });

  it('keeps each user’s conversations and tokens their own (object ids of other users)', async () => {
    const outsider = shared.auth.outsider;
    const convo = await app().inject({ method: 'GET', url: '/v1/direct/friend/messages', headers: outsider });
    const authors = new Set((JSON.parse(convo.body).items as { author: string; to: string }[]).flatMap((m) => [m.author, m.to]));
    assert.ok(authors.size > 0);
    assert.deepEqual([...authors].filter((a) => a !== 'outs' && a !== 'friend'), [], 'someone else’s messages with friend leaked');
    const tokens = await app().inject({ method: 'GET', url: '/v1/tokens', headers: outsider });
    assert.ok(!tokens.body.includes(cast.victimTokenId));
  });
});
