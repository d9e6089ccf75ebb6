// TOTP through the real pipeline: enrolment (otpauth URI, secret, SVG QR code), confirmation
// with recovery codes, the second factor on every login path (sessions and tokens), ±1 step,
// removal with a current code, and the secret encrypted at rest.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, call, passwordFor, userWithToken } from '../../helpers/api.ts';
import { codeNow, enableTotp } from '../../helpers/mfa.ts';
import { fakeClock, startTestServer, type TestServer } from '../../helpers/testServer.ts';

describe('TOTP second factor', () => {
  const clock = fakeClock();
  let server: TestServer;
  let alice: { token: string; username: string };
  let secret: string;
  let recoveryCodes: string[];
  const login = (body: Record<string, unknown>) => call(server.app.fastify, 'POST', '/v1/sessions', { body: { username: 'alice', password: passwordFor('alice'), ...body } });
  const basicToken = (body: Record<string, unknown>) =>
    call(server.app.fastify, 'POST', '/v1/tokens', { headers: { authorization: basicAuth('alice', passwordFor('alice')) }, body: { name: 'cli', ...body } });

  before(async () => {
    server = await startTestServer({ clock });
    alice = await userWithToken(server.app.fastify, 'alice');
  });
  after(() => server.close());

  it('starts enrolment with an otpauth URI, the base32 secret and an SVG QR code', async () => {
    const res = await call(server.app.fastify, 'POST', '/v1/users/me/mfa/totp', { token: alice.token });
    assert.equal(res.status, 200);
    assert.match(res.json.secret, /^[A-Z2-7]{32}$/);
    const uri = new URL(res.json.otpauthUri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), res.json.secret);
    assert.equal(uri.searchParams.get('period'), '30');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.match(res.json.qrCodeSvg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const me = await call(server.app.fastify, 'GET', '/v1/users/me', { token: alice.token });
    assert.equal(me.json.mfa.totp, false, 'not on before confirmation');
  });

  it('refuses a wrong confirmation code, then confirms and returns ten recovery codes', async () => {
    const wrong = await call(server.app.fastify, 'POST', '/v1/users/me/mfa/totp/confirm', { token: alice.token, body: { code: '000000' } });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.code, 'invalid_code');
    ({ secret, recoveryCodes } = await enableTotp(server.app.fastify, alice.token, clock));
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    const me = await call(server.app.fastify, 'GET', '/v1/users/me', { token: alice.token });
    assert.deepEqual(me.json.mfa, { totp: true, webauthn: 0, recoveryCodesLeft: 10 });
  });

  it('refuses a second enrolment while TOTP is on', async () => {
    const res = await call(server.app.fastify, 'POST', '/v1/users/me/mfa/totp', { token: alice.token });
    assert.equal(res.status, 409);
  });

  it('stores the secret encrypted, bound to its row', async () => {
    const row = await server.database.db.selectFrom('totp_credentials').selectAll().executeTakeFirstOrThrow();
    assert.match(row.secret_encrypted, /^v1\.totp-/);
    assert.ok(!row.secret_encrypted.includes(secret));
    const codes = await server.database.db.selectFrom('recovery_codes').select('code_hash').execute();
    assert.equal(codes.length, 10);
    for (const c of codes) assert.ok(!recoveryCodes.some((rc) => c.code_hash.includes(rc.replace(/-/g, ''))));
  });

  it('login without otp, or with a wrong one: 401 mfa_required and no cookie', async () => {
    clock.advance(30_000);
    for (const body of [{}, { otp: '123456' }, { otp: 'AAAA-BBBB-CCCC-DDDD' }]) {
      const res = await login(body);
      assert.equal(res.status, 401);
      assert.equal(res.json.code, 'mfa_required');
      assert.equal(res.headers['set-cookie'], undefined);
    }
  });

  it('login with a current code: 201 and a session', async () => {
    clock.advance(30_000);
    const res = await login({ otp: codeNow(secret, clock) });
    assert.equal(res.status, 201);
    assert.match(String(res.headers['set-cookie']), /__Host-gh_session=/);
  });

  it('accepts the previous and the next step, not two steps away', async () => {
    clock.advance(5 * 30_000);
    assert.equal((await login({ otp: codeNow(secret, clock, -1) })).status, 201);
    assert.equal((await login({ otp: codeNow(secret, clock, +1) })).status, 201);
    assert.equal((await login({ otp: codeNow(secret, clock, -2) })).json.code, 'mfa_required');
    assert.equal((await login({ otp: codeNow(secret, clock, +2) })).json.code, 'mfa_required');
  });

  it('HTTP Basic token issuance needs the otp field too', async () => {
    clock.advance(5 * 30_000);
    const without = await basicToken({});
    assert.equal(without.status, 401);
    assert.equal(without.json.code, 'mfa_required');
    assert.equal(without.json.token, undefined);
    const wrong = await basicToken({ otp: '999999' });
    assert.equal(wrong.json.code, 'mfa_required');
    const ok = await basicToken({ otp: codeNow(secret, clock) });
    assert.equal(ok.status, 201, ok.body);
    assert.match(ok.json.token, /^ght_/);
  });

  it('a recovery code works as the second factor (once)', async () => {
    const res = await login({ otp: recoveryCodes[0]!.toLowerCase() });
    assert.equal(res.status, 201);
    const me = await call(server.app.fastify, 'GET', '/v1/users/me', { token: alice.token });
    assert.equal(me.json.mfa.recoveryCodesLeft, 9);
  });

  it('turning TOTP off needs a current code, then logins need none', async () => {
    clock.advance(5 * 30_000);
    const wrong = await call(server.app.fastify, 'DELETE', '/v1/users/me/mfa/totp', { token: alice.token, body: { code: '000000' } });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.code, 'invalid_code');
    assert.equal((await login({})).json.code, 'mfa_required', 'still on after a wrong code');
    const off = await call(server.app.fastify, 'DELETE', '/v1/users/me/mfa/totp', { token: alice.token, body: { code: codeNow(secret, clock) } });
    assert.equal(off.status, 204);
    assert.equal((await login({})).status, 201);
    const me = await call(server.app.fastify, 'GET', '/v1/users/me', { token: alice.token });
    assert.deepEqual(me.json.mfa, { totp: false, webauthn: 0 });
    const again = await call(server.app.fastify, 'DELETE', '/v1/users/me/mfa/totp', { token: alice.token, body: { code: codeNow(secret, clock) } });
    assert.equal(again.status, 404);
  });
});
