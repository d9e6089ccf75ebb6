// Seeds a purpose server through its public HTTP API only: users with bearer tokens, a space
// with messages and members, a connected contact pair with a direct message, a capability,
// and throwaway copies of what the destructive endpoints (DELETE, PATCH, password change)
// consume, so that scanning them does not remove what the other scans need.
import { basicAuth, passwordFor } from '../../test/helpers/api.ts';
import { sendJson, type Target } from './client.ts';

/** The administrators `startPurposeServer` creates with the command line (the API cannot make one): root for the user administration, auditor for the audit log. */
export const SEED_ADMINS = [
  { username: 'root', password: passwordFor('root') },
  { username: 'auditor', password: passwordFor('auditor') },
] as const;

/** The seeded users, each with a plan that leaves scanners room (see attackServerEnv). */
export const SEED_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'henry'] as const;

export interface SeededIds {
  /**
   * Bearer tokens (read, write): alice owns the data, grace and henry moderate the space (a
   * scan of thousands of requests a minute would use up one user's plan, so the space's routes
   * are shared out among the three); dave is the password-change target; erin the second-factor
   * target (wrong codes count as failed logins, so not alice's account); frank scans the
   * credentials and headers themselves; root and auditor also have admin.
   */
  readonly tokens: Record<'alice' | 'bob' | 'dave' | 'erin' | 'frank' | 'grace' | 'henry' | 'root' | 'auditor', string>;
  /** bob's browser session: the cookie header to send, its CSRF token, and the login's Set-Cookie lines. */
  readonly session: { cookie: string; csrfToken: string; setCookie: readonly string[] };
  /** A capability (read, post) on alice's space, presented as `Capability <token>`. */
  readonly capabilityToken: string;
  /** Values for path parameters, by parameter name; `forDelete` holds throwaway ones for destructive methods. */
  readonly params: Readonly<Record<string, string>>;
  readonly forDelete: Readonly<Record<string, string>>;
}

async function expectCreated(what: string, res: Awaited<ReturnType<typeof sendJson>>, status = 201): Promise<any> {
  if (res.status !== status) throw new Error(`seeding: ${what} answered ${res.status} ${res.text.slice(0, 300)}`);
  return res.json;
}

async function tokenFor(target: Target, username: string, password: string, scopes: string[]): Promise<{ id: string; token: string }> {
  const res = await sendJson(target, 'POST', '/v1/tokens', { auth: basicAuth(username, password), body: { name: 'attacks', scopes } });
  return expectCreated(`token for ${username}`, res);
}

/** Creates the users, tokens and data the attack tools work on; returns their ids. */
export async function seed(target: Target): Promise<SeededIds> {
  const bearer = (t: string) => `Bearer ${t}`;
  for (const name of SEED_USERS) {
    await expectCreated(`register ${name}`, await sendJson(target, 'POST', '/v1/users', { body: { username: name, password: passwordFor(name) } }));
  }
  const userToken = async (name: string) => (await tokenFor(target, name, passwordFor(name), ['read', 'write'])).token;
  const tokens = {
    alice: await userToken('alice'),
    bob: await userToken('bob'),
    dave: await userToken('dave'),
    erin: await userToken('erin'),
    frank: await userToken('frank'),
    grace: await userToken('grace'),
    henry: await userToken('henry'),
    root: (await tokenFor(target, 'root', passwordFor('root'), ['read', 'write', 'admin'])).token,
    auditor: (await tokenFor(target, 'auditor', passwordFor('auditor'), ['read', 'write', 'admin'])).token,
  };
  const spare = await tokenFor(target, 'alice', passwordFor('alice'), ['read']);
  const alice = bearer(tokens.alice);

  const space = await expectCreated('space', await sendJson(target, 'POST', '/v1/spaces', { auth: alice, body: { name: 'team' } }));
  const scratch = await expectCreated('scratch space', await sendJson(target, 'POST', '/v1/spaces', { auth: alice, body: { name: 'scratch' } }));
  const messages = [];
  for (const text of ['hello', 'second message', 'third, with <b>markup</b>']) {
    messages.push(await expectCreated('message', await sendJson(target, 'POST', `/v1/spaces/${space.id}/messages`, { auth: alice, body: { text } })));
  }
  const scratchMessage = await expectCreated('scratch message', await sendJson(target, 'POST', `/v1/spaces/${scratch.id}/messages`, { auth: alice, body: { text: 'to delete' } }));
  const memberships = [
    [space.id, 'bob', 'member'], [space.id, 'carol', 'reader'], [scratch.id, 'carol', 'reader'],
    [space.id, 'grace', 'moderator'], [space.id, 'henry', 'moderator'],
  ] as const;
  for (const [spaceId, user, role] of memberships) {
    await expectCreated(`member ${user}`, await sendJson(target, 'PUT', `/v1/spaces/${spaceId}/members/${user}`, { auth: alice, body: { role } }), 200);
  }
  const capability = await expectCreated('capability', await sendJson(target, 'POST', `/v1/spaces/${space.id}/capabilities`, {
    auth: alice, body: { permissions: ['read', 'post'], expiresInSeconds: 3600 },
  }));
  const scratchCapability = await expectCreated('scratch capability', await sendJson(target, 'POST', `/v1/spaces/${scratch.id}/capabilities`, {
    auth: alice, body: { permissions: ['read'], expiresInSeconds: 3600 },
  }));
  await expectCreated('contact request', await sendJson(target, 'PUT', '/v1/contacts/bob', { auth: alice }), 200);
  await expectCreated('contact accept', await sendJson(target, 'PUT', '/v1/contacts/alice', { auth: bearer(tokens.bob) }), 200);
  await expectCreated('contact request to carol', await sendJson(target, 'PUT', '/v1/contacts/carol', { auth: alice }), 200);
  await expectCreated('direct message', await sendJson(target, 'POST', '/v1/direct/bob/messages', { auth: alice, body: { text: 'hi bob' } }));

  const login = await sendJson(target, 'POST', '/v1/sessions', { body: { username: 'bob', password: passwordFor('bob') } });
  const { csrfToken } = await expectCreated('browser login', login);
  const setCookie = [login.headers['set-cookie'] ?? []].flat();
  const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');

  return {
    tokens,
    session: { cookie, csrfToken, setCookie },
    capabilityToken: capability.token,
    params: { spaceId: space.id, messageId: messages[0].id, capId: capability.id, tokenId: spare.id, username: 'bob', passkeyId: 'no-such-passkey', file: 'app.js' },
    forDelete: { spaceId: scratch.id, messageId: scratchMessage.id, capId: scratchCapability.id, tokenId: spare.id, username: 'carol', passkeyId: 'no-such-passkey' },
  };
}
