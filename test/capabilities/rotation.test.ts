// Key rotation: the macaroon's identifier names the root key's id, so a capability minted
// before a new capability-root key became current still verifies; a token naming a key the
// keyring does not hold, or a key of another purpose, is refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { CapabilityRepository } from '../../src/capabilities/CapabilityRepository.ts';
import { CapabilityService } from '../../src/capabilities/CapabilityService.ts';
import { decodeToken, mintToken, parseIdentifier } from '../../src/capabilities/macaroonToken.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import type { Database } from '../../src/store/database.ts';
import { openTestDatabase } from '../helpers/testDatabase.ts';

describe('capability-root key rotation', () => {
  let database: Database;
  const now = Date.parse('2026-11-22T12:00:00Z');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'gh-keys-')), 'keyring');
  before(async () => {
    database = await openTestDatabase();
    await sql`insert into users (id, username, password_hash, is_admin, disabled, created_at) values ('u1', 'mod', 'x', 0, 0, 0)`.execute(database.db);
    await sql`insert into spaces (id, name, created_at) values ('s1', 'space', 0)`.execute(database.db);
  });
  after(() => database.close());

  /** Adds a fresh capability-root key to the keyring file and makes it current. */
  function rotate(): Keyring {
    const data = JSON.parse(readFileSync(file, 'utf8'));
    const id = `capability-root-${randomBytes(6).toString('base64url')}`;
    data.keys.push({ id, purpose: 'capability-root', createdAt: new Date(now).toISOString(), key: randomBytes(32).toString('base64url') });
    data.current['capability-root'] = id;
    writeFileSync(file, JSON.stringify(data), { mode: 0o600 });
    return Keyring.loadOrCreate(file);
  }

  it('keeps capabilities minted under the previous key valid, and mints new ones under the new key', async () => {
    const before = Keyring.loadOrCreate(file);
    const service = (keyring: Keyring) => new CapabilityService({ repository: new CapabilityRepository(database.db), keyring, clock: () => now });
    const old = await service(before).issue({ spaceId: 's1', issuerId: 'u1', permissions: ['read'], lifetimeSeconds: 600 });
    const after = rotate();
    const rotated = service(after);
    const fresh = await rotated.issue({ spaceId: 's1', issuerId: 'u1', permissions: ['read'], lifetimeSeconds: 600 });
    assert.notEqual(parseIdentifier(decodeToken(old.token))!.keyId, parseIdentifier(decodeToken(fresh.token))!.keyId);
    for (const token of [old.token, fresh.token]) {
      const v = await rotated.verifyCapability(token, { nowMs: now, method: 'GET' });
      assert.ok(v.ok, JSON.stringify(v));
    }
  });

  it('refuses a token naming an unknown key, or a key of another purpose', async () => {
    const keyring = Keyring.loadOrCreate(file);
    const service = new CapabilityService({ repository: new CapabilityRepository(database.db), keyring, clock: () => now });
    const issued = await service.issue({ spaceId: 's1', issuerId: 'u1', permissions: ['read'], lifetimeSeconds: 600 });
    const caveats = ['space = s1', 'permissions = read', `expires < ${new Date(now + 600_000).toISOString()}`];
    const unknown = mintToken(randomBytes(32), { keyId: 'capability-root-nope', capabilityId: issued.record.id }, caveats);
    const csrf = keyring.current('csrf');
    const otherPurpose = mintToken(csrf.key, { keyId: csrf.id, capabilityId: issued.record.id }, caveats);
    for (const token of [unknown, otherPurpose]) {
      const v = await service.verifyCapability(token, { nowMs: now, method: 'GET' });
      assert.equal(v.ok, false);
      assert.match(!v.ok ? v.reason : '', /unknown root key/);
    }
  });
});

describe('capability verification cost', () => {
  it('refuses a token with too many caveats before verifying any HMAC', async () => {
    const database = await openTestDatabase();
    try {
      const keyring = Keyring.ephemeral();
      const key = keyring.current('capability-root');
      const service = new CapabilityService({ repository: new CapabilityRepository(database.db), keyring, clock: () => 0 });
      const caveats = ['space = s1', 'permissions = read', 'expires < 2099-01-01T00:00:00.000Z', ...Array.from({ length: 40 }, () => 'permissions = read')];
      const v = await service.verifyCapability(mintToken(key.key, { keyId: key.id, capabilityId: 'c1' }, caveats), { nowMs: 0, method: 'GET' });
      assert.equal(v.ok, false);
      assert.match(!v.ok ? v.reason : '', /more than 32 caveats/);
    } finally {
      await database.close();
    }
  });
});
