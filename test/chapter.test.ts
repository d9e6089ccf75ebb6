// The test cases of API Security in Action §1.4.2, literally (MISSION.md §3), through the
// real HTTPS listener and the whole pipeline:
//   1. create two users and populate their accounts with messages;
//   2. check that the first user cannot read the messages of the second user;
//   3. check that a user who has not logged in cannot read any messages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, passwordFor } from './helpers/api.ts';
import { httpsRequest, startTestServer, type TestServer } from './helpers/testServer.ts';

describe('the chapter’s security test cases', () => {
  let server: TestServer;
  const users: Record<string, { token: string; spaceId: string; messageIds: string[] }> = {};

  before(async () => {
    server = await startTestServer({ listen: true });
    // 1. Two users, each with their own space populated with messages.
    for (const username of ['alice', 'bob']) {
      const reg = await httpsRequest(server, 'POST', '/v1/users', { body: { username, password: passwordFor(username) } });
      assert.equal(reg.status, 201);
      const tok = await httpsRequest(server, 'POST', '/v1/tokens', { headers: { authorization: basicAuth(username, passwordFor(username)) }, body: { name: 'test' } });
      assert.equal(tok.status, 201);
      const auth = { authorization: `Bearer ${tok.json.token}` };
      const space = await httpsRequest(server, 'POST', '/v1/spaces', { headers: auth, body: { name: `${username}'s space` } });
      assert.equal(space.status, 201);
      const messageIds: string[] = [];
      for (let i = 0; i < 3; i++) {
        const msg = await httpsRequest(server, 'POST', `/v1/spaces/${space.json.id}/messages`, { headers: auth, body: { text: `${username} secret ${i}` } });
        assert.equal(msg.status, 201);
        messageIds.push(msg.json.id);
      }
      users[username] = { token: tok.json.token, spaceId: space.json.id, messageIds };
    }
  });

  after(() => server.close());

  it('populated both accounts: each user reads their own messages', async () => {
    for (const [username, u] of Object.entries(users)) {
      const res = await httpsRequest(server, 'GET', `/v1/spaces/${u.spaceId}/messages`, { headers: { authorization: `Bearer ${u.token}` } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json.items.map((m: { text: string }) => m.text).sort(), [0, 1, 2].map((i) => `${username} secret ${i}`));
    }
  });

  it('the first user cannot read the messages of the second user', async () => {
    const alice = users.alice!;
    const bob = users.bob!;
    const asAlice = { authorization: `Bearer ${alice.token}` };
    const list = await httpsRequest(server, 'GET', `/v1/spaces/${bob.spaceId}/messages`, { headers: asAlice });
    assert.equal(list.status, 404, 'a space you are not in is invisible (404, not 403)');
    assert.equal(list.json.code, 'not_found');
    assert.doesNotMatch(list.text, /bob secret/);
    for (const messageId of bob.messageIds) {
      const one = await httpsRequest(server, 'GET', `/v1/spaces/${bob.spaceId}/messages/${messageId}`, { headers: asAlice });
      assert.equal(one.status, 404);
      assert.doesNotMatch(one.text, /bob secret/);
      // Nor through her own space with his message id (object-level authorization).
      const viaOwn = await httpsRequest(server, 'GET', `/v1/spaces/${alice.spaceId}/messages/${messageId}`, { headers: asAlice });
      assert.equal(viaOwn.status, 404);
    }
    const space = await httpsRequest(server, 'GET', `/v1/spaces/${bob.spaceId}`, { headers: asAlice });
    assert.equal(space.status, 404);
  });

  it('a user who has not logged in cannot read any messages', async () => {
    for (const u of Object.values(users)) {
      const list = await httpsRequest(server, 'GET', `/v1/spaces/${u.spaceId}/messages`);
      assert.equal(list.status, 401);
      assert.equal(list.json.code, 'unauthenticated');
      assert.match(String(list.headers['www-authenticate']), /^Bearer /);
      assert.doesNotMatch(list.text, /secret/);
      for (const messageId of u.messageIds) {
        const one = await httpsRequest(server, 'GET', `/v1/spaces/${u.spaceId}/messages/${messageId}`);
        assert.equal(one.status, 401);
        assert.doesNotMatch(one.text, /secret/);
      }
    }
    const spaces = await httpsRequest(server, 'GET', '/v1/spaces');
    assert.equal(spaces.status, 401);
  });
});
