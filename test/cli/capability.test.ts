// `gatehouse capability attenuate|inspect`: narrowing a token offline (no server, no key),
// and wrong invocations that print what was wrong and exit non-zero.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveRights } from '../../src/capabilities/caveats.ts';
import { decodeToken, mintToken, readCaveats, verifySignature } from '../../src/capabilities/macaroonToken.ts';
import { main, type CommandIo } from '../../src/cli/main.ts';

function io(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const value: CommandIo = { out: (t) => out.push(t), err: (t) => err.push(t), readSecret: async () => stdin, env: {} };
  return { io: value, out, err };
}

const key = Buffer.alloc(32, 3);
const token = mintToken(key, { keyId: 'capability-root-x', capabilityId: 'cap1' }, ['space = s1', 'permissions = read,post', 'expires < 2099-01-01T00:00:00.000Z']);

describe('gatehouse capability', () => {
  it('attenuate --read-only --expires-in prints a narrower token that still verifies', async () => {
    const t = io();
    assert.equal(await main(['capability', 'attenuate', token, '--read-only', '--expires-in', '300'], t.io), 0);
    const narrowed = t.out[0]!;
    assert.notEqual(narrowed, token);
    const verified = verifySignature(decodeToken(narrowed), key);
    assert.ok(verified.ok);
    const rights = effectiveRights(verified.caveats);
    assert.ok(rights.ok);
    assert.deepEqual(rights.rights.permissions, ['read']);
    assert.ok(rights.rights.expiresAtMs <= Date.now() + 301_000);
  });

  it('reads the token from standard input with "-", and inspect lists the caveats', async () => {
    const a = io(token + '\n');
    assert.equal(await main(['capability', 'attenuate', '-', '--method', 'GET'], a.io), 0);
    const b = io();
    assert.equal(await main(['capability', 'inspect', a.out[0]!], b.io), 0);
    assert.deepEqual(b.out, [...readCaveats(token), 'method = GET']);
  });

  it('refuses wrong invocations with a message and exit code 2', async () => {
    for (const argv of [
      ['capability', 'attenuate', token],
      ['capability', 'attenuate', token, '--expires-in', 'soon'],
      ['capability', 'attenuate'],
      ['capability', 'attenuate', 'garbage!', '--read-only'],
      ['capability', 'widen', token],
      ['capability', 'attenuate', token, '--read-only', '--bogus'],
    ]) {
      const t = io();
      assert.equal(await main(argv, t.io), 2, argv.join(' '));
      assert.match(t.err.join('\n'), /gatehouse capability: .+\n\nUsage: gatehouse capability/, argv.join(' '));
    }
  });

  it('--help prints the usage and exits 0', async () => {
    const t = io();
    assert.equal(await main(['capability', '--help'], t.io), 0);
    assert.match(t.out[0]!, /attenuate <token\|->/);
  });
});
