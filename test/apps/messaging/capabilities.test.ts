// Capability-based access control (§1.5.3) through the full pipeline: a moderator mints a
// macaroon for one space; its holder reads (or posts) there with no login, exactly within its
// caveats; attenuated copies are accepted with narrower rights and widened ones refused;
// revocation and expiry act at once; a capability dies with its issuer's authority; its use is
// audited as capability:<id>; the share URL carries the token only in the fragment.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attenuateCapability } from '../../../src/capabilities/attenuate.ts';
import { appendCaveats, decodeToken, mintToken } from '../../../src/capabilities/macaroonToken.ts';
import { adminWithToken, call, userWithToken } from '../../helpers/api.ts';
import { fakeClock, httpsRequest, startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('capabilities', () => {
  const clock = fakeClock();
  let server: TestServer;
  let owner: { token: string };
  let mod: { token: string; username: string };
  let reader: { token: string };
  let admin: { token: string };
  let spaceId: string;
  let otherSpaceId: string;
  const app = () => server.app.fastify;
  const asCap = (token: string) => ({ headers: { authorization: `Capability ${token}` } });
  const mint = async (permissions: string[], extra: Record<string, unknown> = {}, who = mod) => {
    const res = await call(app(), 'POST', `/v1/spaces/${spaceId}/capabilities`, { token: who.token, body: { permissions, expiresInSeconds: 3600, ...extra } });
    assert.equal(res.status, 201, res.body);
    return res.json as { id: string; token: string; url: string };
  };
  const readMessages = (token: string) => call(app(), 'GET', `/v1/spaces/${spaceId}/messages`, asCap(token));
  const post = (token: string, text = 'via capability') => call(app(), 'POST', `/v1/spaces/${spaceId}/messages`, { ...asCap(token), body: { text } });

  before(async () => {
    server = await startTestServer({ clock, listen: true });
    owner = await userWithToken(app(), 'owner');
    mod = await userWithToken(app(), 'moddy');
    reader = await userWithToken(app(), 'reader');
    admin = await adminWithToken(app(), server.app.accounts);
    spaceId = (await call(app(), 'POST', '/v1/spaces', { token: owner.token, body: { name: 'shared' } })).json.id;
    otherSpaceId = (await call(app(), 'POST', '/v1/spaces', { token: owner.token, body: { name: 'other' } })).json.id;
    await call(app(), 'PUT', `/v1/spaces/${spaceId}/members/moddy`, { token: owner.token, body: { role: 'moderator' } });
    await call(app(), 'PUT', `/v1/spaces/${spaceId}/members/reader`, { token: owner.token, body: { role: 'reader' } });
    await call(app(), 'POST', `/v1/spaces/${spaceId}/messages`, { token: owner.token, body: { text: 'first message' } });
  });
  after(() => server.close());

  it('mints a read capability whose share URL carries the token only in the fragment', async () => {
    const cap = await mint(['read']);
    const url = new URL(cap.url);
    assert.ok(url.hash.startsWith('#cap='));
    const fragment = new URLSearchParams(url.hash.slice(1));
    assert.equal(fragment.get('cap'), cap.token);
    assert.equal(fragment.get('space'), spaceId);
    assert.ok(!(url.pathname + url.search).includes(cap.token));
    assert.equal(url.pathname, '/', 'the link opens the browser UI');
    const listed = await call(app(), 'GET', `/v1/spaces/${spaceId}/capabilities`, { token: mod.token });
    assert.equal(listed.status, 200);
    const item = listed.json.items.find((c: { id: string }) => c.id === cap.id);
    assert.deepEqual({ ...item, createdAt: undefined, expiresAt: undefined }, { id: cap.id, issuer: 'moddy', permissions: ['read'], revoked: false, createdAt: undefined, expiresAt: undefined });
    assert.ok(!listed.body.includes(cap.token), 'no secrets in the list');
  });

  it('only moderators and the owner mint; a reader gets 403, outsiders 404, anonymous 401', async () => {
    const body = { permissions: ['read'], expiresInSeconds: 60 };
    assert.equal((await call(app(), 'POST', `/v1/spaces/${spaceId}/capabilities`, { token: reader.token, body })).status, 403);
    assert.equal((await call(app(), 'POST', `/v1/spaces/${spaceId}/capabilities`, { token: admin.token, body })).status, 404);
    assert.equal((await call(app(), 'POST', `/v1/spaces/${spaceId}/capabilities`, { body })).status, 401);
    for (const bad of [{ permissions: ['write'], expiresInSeconds: 60 }, { permissions: [], expiresInSeconds: 60 }, { permissions: ['read'], expiresInSeconds: 10 }, { permissions: ['read'] }]) {
      assert.equal((await call(app(), 'POST', `/v1/spaces/${spaceId}/capabilities`, { token: mod.token, body: bad })).status, 400, JSON.stringify(bad));
    }
  });

  it('a read capability reads the space’s messages and nothing else', async () => {
    const cap = await mint(['read']);
    const list = await readMessages(cap.token);
    assert.equal(list.status, 200);
    assert.ok(list.json.items.some((m: { text: string }) => m.text === 'first message'));
    const one = await call(app(), 'GET', `/v1/spaces/${spaceId}/messages/${list.json.items[0].id}`, asCap(cap.token));
    assert.equal(one.status, 200);
    assert.equal((await post(cap.token)).status, 403);
    assert.equal((await call(app(), 'GET', `/v1/spaces/${otherSpaceId}/messages`, asCap(cap.token))).status, 404, 'another space is invisible');
    for (const [method, path] of [['GET', `/v1/spaces/${spaceId}`], ['GET', `/v1/spaces/${spaceId}/members`], ['GET', '/v1/spaces'], ['GET', '/v1/users/me'], ['DELETE', `/v1/spaces/${spaceId}/messages/${list.json.items[0].id}`], ['GET', `/v1/spaces/${spaceId}/capabilities`], ['GET', '/v1/audit']] as const) {
      const res = await call(app(), method, path, asCap(cap.token));
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.match(String(res.headers['www-authenticate']), /^Bearer /);
    }
  });

  it('a read+post capability posts, attributed to its issuer, and audited as capability:<id>', async () => {
    const cap = await mint(['read', 'post']);
    const res = await post(cap.token, 'posted with a link');
    assert.equal(res.status, 201);
    assert.equal(res.json.author, 'moddy');
    const audit = await call(app(), 'GET', `/v1/audit?actor=${encodeURIComponent(`capability:${cap.id}`)}`, { token: admin.token });
    assert.equal(audit.status, 200);
    const posted = audit.json.items.find((i: { action: { method: string }; phase: string }) => i.action.method === 'POST');
    assert.ok(posted, 'the capability’s POST is in the audit log');
    assert.equal(posted.authMethod, 'capability');
    assert.equal(posted.actorType, 'capability');
  });

  it('accepts attenuated copies with the narrower rights, made offline', async () => {
    const cap = await mint(['read', 'post']);
    const readOnly = attenuateCapability(cap.token, { permissions: ['read'] }, clock());
    assert.equal((await readMessages(readOnly)).status, 200);
    assert.equal((await post(readOnly)).status, 403);
    const short = attenuateCapability(cap.token, { expiresInSeconds: 60 }, clock());
    assert.equal((await post(short)).status, 201);
    clock.advance(61_000);
    assert.equal((await readMessages(short)).status, 401, 'the attenuated expiry holds');
    assert.equal((await readMessages(cap.token)).status, 200, 'the original is unaffected');
    const getOnly = attenuateCapability(cap.token, { methods: ['GET'] }, clock());
    assert.equal((await post(getOnly)).status, 401);
  });

  it('refuses every attempt to widen a token', async () => {
    const cap = await mint(['read']);
    // Appending a wider caveat intersects: still read-only.
    assert.equal((await post(appendCaveats(cap.token, ['permissions = read,post']))).status, 403);
    // Appending a later expiry does not extend it.
    const later = appendCaveats(cap.token, [`expires < ${new Date(clock() + 365 * 86400_000).toISOString()}`]);
    // Rewriting the permissions caveat in place breaks the signature.
    const bytes = Buffer.from(cap.token, 'base64url');
    const at = bytes.indexOf(Buffer.from('permissions = read'));
    const forged = Buffer.concat([bytes.subarray(0, at), Buffer.from('permissions = post'), bytes.subarray(at + 18)]).toString('base64url');
    assert.equal((await post(forged)).status, 401);
    // A token minted under a guessed key, claiming this capability's id, is refused.
    const m = decodeToken(cap.token);
    const dropped = mintToken(Buffer.alloc(32), { keyId: Buffer.from(m.identifier).toString().split(' ')[1]!, capabilityId: cap.id }, ['space = ' + spaceId, 'permissions = read,post', `expires < ${new Date(clock() + 3600_000).toISOString()}`]);
    assert.equal((await post(dropped)).status, 401, 'minted under a guessed key');
    assert.equal((await call(app(), 'GET', `/v1/spaces/${otherSpaceId}/messages`, asCap(appendCaveats(cap.token, [`space = ${otherSpaceId}`])))).status, 401);
    clock.advance(3601_000);
    assert.equal((await readMessages(later)).status, 401);
  });

  it('revocation takes effect on the very next request', async () => {
    const cap = await mint(['read']);
    assert.equal((await readMessages(cap.token)).status, 200);
    assert.equal((await call(app(), 'DELETE', `/v1/spaces/${spaceId}/capabilities/${cap.id}`, { token: mod.token })).status, 204);
    const after = await readMessages(cap.token);
    assert.equal(after.status, 401);
    assert.equal(after.json.code, 'unauthenticated');
    assert.equal((await call(app(), 'DELETE', `/v1/spaces/${otherSpaceId}/capabilities/${cap.id}`, { token: owner.token })).status, 404, 'not through another space');
  });

  it('expires with the server clock', async () => {
    const cap = await mint(['read'], { expiresInSeconds: 120 });
    assert.equal((await readMessages(cap.token)).status, 200);
    clock.advance(120_000);
    assert.equal((await readMessages(cap.token)).status, 401);
  });

  it('dies when its issuer loses the authority to grant it', async () => {
    const cap = await mint(['read']);
    await call(app(), 'PUT', `/v1/spaces/${spaceId}/members/moddy`, { token: owner.token, body: { role: 'member' } });
    assert.equal((await readMessages(cap.token)).status, 401);
    await call(app(), 'PUT', `/v1/spaces/${spaceId}/members/moddy`, { token: owner.token, body: { role: 'moderator' } });
    assert.equal((await readMessages(cap.token)).status, 200);
  });

  it('works over the real HTTPS listener, and garbage tokens are 401', async () => {
    const cap = await mint(['read']);
    const res = await httpsRequest(server, 'GET', `/v1/spaces/${spaceId}/messages`, { headers: { authorization: `Capability ${cap.token}` } });
    assert.equal(res.status, 200);
    assert.ok(res.json.items.length > 0);
    for (const bad of ['AgEJ', 'not-a-macaroon', cap.token.slice(0, -4)]) {
      const r = await httpsRequest(server, 'GET', `/v1/spaces/${spaceId}/messages`, { headers: { authorization: `Capability ${bad}` } });
      assert.equal(r.status, 401, bad);
      assert.match(String(r.headers['www-authenticate']), /Capability realm="gatehouse"/);
    }
  });
});
