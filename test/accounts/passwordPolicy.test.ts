// The password policy (NIST SP 800-63B style): 12–256 characters counted in code points, not
// containing the username, not a well-known password (nor one only padded with digits or
// symbols, or doubled). A refusal is `weak_password` naming the field `password`, also when
// it comes through POST /v1/users.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkPasswordPolicy, isCommonPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../src/accounts/passwordPolicy.ts';
import { GatehouseError } from '../../src/errors/GatehouseError.ts';
import { call } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const GOOD = 'violet-harbor-engine-47';

/** Distinct astral code points (two UTF-16 units each), so length in code points ≠ .length. */
function astral(count: number): string {
  return Array.from({ length: count }, (_, i) => String.fromCodePoint(0x1f400 + i)).join('');
}

function refusal(username: string, password: string): GatehouseError {
  try {
    checkPasswordPolicy(username, password);
  } catch (err) {
    assert.ok(err instanceof GatehouseError, 'a GatehouseError');
    return err;
  }
  assert.fail(`password ${JSON.stringify(password)} was accepted for ${username}`);
}

function assertRefused(username: string, password: string): void {
  const err = refusal(username, password);
  assert.equal(err.code, 'weak_password', JSON.stringify(password));
  assert.equal(err.status, 400);
  assert.equal(err.extras.field, 'password');
}

describe('checkPasswordPolicy', () => {
  it('has the documented bounds', () => {
    assert.equal(PASSWORD_MIN_LENGTH, 12);
    assert.equal(PASSWORD_MAX_LENGTH, 256);
  });

  it('accepts a good passphrase', () => {
    assert.doesNotThrow(() => checkPasswordPolicy('alice', GOOD));
    assert.doesNotThrow(() => checkPasswordPolicy('alice', 'Tr0mbone:Lantern:Quiet'));
  });

  it('counts length in code points: 11 refused, 12 accepted, 256 accepted, 257 refused', () => {
    assertRefused('alice', 'qz7-wv9-kx2');
    assert.doesNotThrow(() => checkPasswordPolicy('alice', 'qz7-wv9-kx2m'));
    // 11 astral characters are 22 UTF-16 units, but still too short.
    assert.equal(astral(11).length, 22);
    assertRefused('alice', astral(11));
    assert.doesNotThrow(() => checkPasswordPolicy('alice', astral(12)));
    const long = Array.from({ length: 256 }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[(i * 7) % 36]).join('');
    assert.equal([...long].length, 256);
    assert.doesNotThrow(() => checkPasswordPolicy('alice', long));
    assertRefused('alice', `${long}q`);
    // 256 astral characters are 512 UTF-16 units: still within the limit.
    const wide = Array.from({ length: 256 }, (_, i) => String.fromCodePoint(0x1f300 + i)).join('');
    assert.doesNotThrow(() => checkPasswordPolicy('alice', wide));
    assertRefused('alice', wide + String.fromCodePoint(0x1f600));
  });

  it('refuses a password containing the username, in any case', () => {
    assertRefused('margaret', 'margaret-likes-tea-42');
    assertRefused('margaret', 'tea-with-MARGARET-at-four');
    assertRefused('margaret', 'xx-Margaret-xx-yy-zz');
    assert.doesNotThrow(() => checkPasswordPolicy('margaret', GOOD));
  });

  it('refuses common passwords, also padded with digits or symbols, or doubled', () => {
    for (const pw of [
      'password1234', // common as it is
      'password1234!!', 'Password2024!', '!!!password!!!', '12345password', 'PASSWORD!@#$%^', // padded
      'qwertyqwerty', 'monkeymonkey', 'dragondragon', // doubled
      'aaaaaaaaaaaaaaaa', '1111111111111', // one repeated character
    ]) {
      assert.equal(isCommonPassword(pw), true, pw);
      assertRefused('someone', pw);
    }
  });

  it('refuses one astral character repeated (the repetition rule counts code points too)', () => {
    const pw = '\u{1F512}'.repeat(12);
    assert.equal(isCommonPassword(pw), true);
    assertRefused('someone', pw);
  });

  it('does not refuse uncommon passwords that merely contain a common word', () => {
    for (const pw of [GOOD, 'password-violet-harbor-engine', 'zebra-quartz-pillow-9']) {
      assert.equal(isCommonPassword(pw), false, pw);
    }
  });
});

describe('the password policy through POST /v1/users', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  for (const [why, username, password] of [
    ['too short', 'shorty', 'abc-12'],
    ['too long', 'longy', 'x9-'.repeat(90)],
    ['containing the username', 'margaret', 'margaret-likes-tea-42'],
    ['common', 'commoner', 'password1234'],
    ['common, padded', 'padder', '2024!password!!'],
    ['common, doubled', 'doubler', 'qwertyqwerty'],
  ] as const) {
    it(`answers 400 weak_password naming the field for a password ${why}, and creates no user`, async () => {
      const res = await call(server.app.fastify, 'POST', '/v1/users', { body: { username, password } });
      assert.equal(res.status, 400);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json.code, 'weak_password');
      assert.equal(res.json.field, 'password');
      assert.ok(!res.body.includes(password), 'the refused password is not echoed');
      const again = await call(server.app.fastify, 'POST', '/v1/users', { body: { username, password: GOOD } });
      assert.equal(again.status, 201, 'the name stayed free');
    });
  }

  it('accepts a good passphrase', async () => {
    const res = await call(server.app.fastify, 'POST', '/v1/users', { body: { username: 'goodpass', password: GOOD } });
    assert.equal(res.status, 201);
    assert.equal(res.json.username, 'goodpass');
  });
});
