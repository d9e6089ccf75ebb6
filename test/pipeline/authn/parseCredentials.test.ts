// parseCredentials (pipeline/authn/parseCredentials.ts), the pure first step of
// authentication. Proves: each scheme (Bearer, Basic, Capability) and the session cookie is
// recognised, case-insensitively for the scheme; anything malformed is reported as malformed
// (never silently treated as anonymous, never thrown); size limits hold; and an Authorization
// header always wins over the cookie, even when it is malformed, so a cookie-borne request
// cannot slip past a bad header.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCredentials, SESSION_COOKIE } from '../../../src/pipeline/authn/parseCredentials.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('parseCredentials', () => {
  it('nothing presented: none', () => {
    assert.deepEqual(parseCredentials(undefined, undefined), { kind: 'none' });
    assert.deepEqual(parseCredentials(undefined, ''), { kind: 'none' }, 'an empty cookie is no cookie');
  });

  it('the session cookie is named with the __Host- prefix', () => {
    assert.equal(SESSION_COOKIE, '__Host-gh_session');
  });

  it('Bearer: the token, scheme case-insensitive, surrounding blanks trimmed', () => {
    const token = 'ght_abc123.s3cr3t-_~+/=';
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      assert.deepEqual(parseCredentials(`${scheme} ${token}`, undefined), { kind: 'bearer', token });
    }
    assert.deepEqual(parseCredentials(`Bearer   ${token}  `, undefined), { kind: 'bearer', token });
  });

  it('Bearer: bad syntax or over 512 characters is malformed', () => {
    for (const header of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer a"b', 'Bearer a=b', 'Bearer tok\u00e9n', `Bearer ${'a'.repeat(513)}`]) {
      assert.equal(parseCredentials(header, undefined).kind, 'malformed', header.slice(0, 40));
    }
    assert.equal(parseCredentials(`Bearer ${'a'.repeat(512)}`, undefined).kind, 'bearer');
  });

  it('Basic: username and password, the password may contain colons and any Unicode', () => {
    assert.deepEqual(parseCredentials(`Basic ${b64('alice:pa:ss word')}`, undefined), { kind: 'basic', username: 'alice', password: 'pa:ss word' });
    assert.deepEqual(parseCredentials(`basic ${b64('bob:pässwört✓')}`, undefined), { kind: 'basic', username: 'bob', password: 'pässwört✓' });
    assert.deepEqual(parseCredentials(`Basic ${b64('carol:')}`, undefined), { kind: 'basic', username: 'carol', password: '' });
  });

  it('Basic: not base64, no colon, empty username, or too long is malformed', () => {
    for (const header of ['Basic', 'Basic !!!!', 'Basic a b', `Basic ${b64('no-colon')}`, `Basic ${b64(':password')}`, `Basic ${b64(`u:${'p'.repeat(1100)}`)}`]) {
      assert.equal(parseCredentials(header, undefined).kind, 'malformed', header.slice(0, 40));
    }
  });

  it('Capability: the token, up to 4096 characters', () => {
    assert.deepEqual(parseCredentials('Capability cap.v1.abc', undefined), { kind: 'capability', token: 'cap.v1.abc' });
    assert.equal(parseCredentials(`Capability ${'c'.repeat(4096)}`, undefined).kind, 'capability');
    assert.equal(parseCredentials(`Capability ${'c'.repeat(4097)}`, undefined).kind, 'malformed');
    assert.equal(parseCredentials('Capability a b', undefined).kind, 'malformed');
  });

  it('unknown schemes and empty headers are malformed, not anonymous', () => {
    for (const header of ['', ' ', 'Digest username="a"', 'Token abc', 'Negotiate abc', 'abc']) {
      assert.equal(parseCredentials(header, undefined).kind, 'malformed', JSON.stringify(header));
    }
  });

  it('the cookie alone is a session credential', () => {
    assert.deepEqual(parseCredentials(undefined, 'sid.secret'), { kind: 'session', cookie: 'sid.secret' });
  });

  it('Authorization wins over the cookie, even when the header is malformed', () => {
    assert.deepEqual(parseCredentials('Bearer tok', 'sid.secret'), { kind: 'bearer', token: 'tok' });
    assert.equal(parseCredentials(`Basic ${b64('a:b')}`, 'sid.secret').kind, 'basic');
    assert.equal(parseCredentials('Capability cap', 'sid.secret').kind, 'capability');
    assert.equal(parseCredentials('garbage', 'sid.secret').kind, 'malformed');
    assert.equal(parseCredentials('Bearer', 'sid.secret').kind, 'malformed');
  });

  it('property: never throws, and what it accepts is well-formed', () => {
    const header = fc.oneof(
      fc.string({ maxLength: 600 }),
      fc.string({ maxLength: 600 }).map((s) => `Bearer ${s}`),
      fc.string({ maxLength: 300 }).map((s) => `Basic ${b64(s)}`),
      fc.string({ maxLength: 300 }).map((s) => `Basic ${s}`),
      fc.string({ maxLength: 600 }).map((s) => `Capability ${s}`),
    );
    fc.assert(
      fc.property(fc.option(header, { nil: undefined }), fc.option(fc.string(), { nil: undefined }), (authorization, cookie) => {
        const c = parseCredentials(authorization, cookie);
        switch (c.kind) {
          case 'none':
            return authorization === undefined && !cookie;
          case 'session':
            return authorization === undefined && c.cookie === cookie;
          case 'bearer':
            return /^[A-Za-z0-9._~+/-]+=*$/.test(c.token) && c.token.length <= 512;
          case 'capability':
            return /^[A-Za-z0-9._~+/-]+=*$/.test(c.token) && c.token.length <= 4096;
          case 'basic':
            return c.username.length > 0 && !c.username.includes(':');
          case 'malformed':
            return authorization !== undefined && c.reason.length > 0;
        }
      }),
      { numRuns: 500 },
    );
  });
});
