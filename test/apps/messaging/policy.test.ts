// The pure access rules added for issue 4, exhaustively over their small input spaces:
// capabilities never grant more than their issuer holds, and the friendship rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capabilityVerdict, contactState, mayIssueCapability, mayMessageDirectly, permissionsOfRole, ROLES, type Role } from '../../../src/apps/messaging/policy.ts';
import type { CapabilityPermission } from '../../../src/capabilities/caveats.ts';

const PERMISSION_SETS: CapabilityPermission[][] = [[], ['read'], ['post'], ['read', 'post']];

describe('capability policy', () => {
  it('only moderators and owners issue, and only permissions they hold', () => {
    for (const role of [undefined, ...ROLES] as (Role | undefined)[]) {
      for (const perms of PERMISSION_SETS) {
        const expected = (role === 'moderator' || role === 'owner') && perms.length > 0;
        assert.equal(mayIssueCapability(role, perms), expected, `${role} ${perms}`);
        if (expected) assert.ok(perms.every((p) => permissionsOfRole(role!).includes(p)));
      }
    }
    assert.deepEqual(permissionsOfRole('reader'), ['read']);
    assert.deepEqual(permissionsOfRole('member'), ['read', 'post']);
  });

  it('judges a capability by its space, its issuer’s current authority, then its permissions', () => {
    const cap = { spaceId: 's1', permissions: ['read'] };
    assert.equal(capabilityVerdict(cap, 's2', 'read', 'owner'), 'not_visible');
    for (const role of [undefined, 'reader', 'member'] as const) assert.equal(capabilityVerdict(cap, 's1', 'read', role), 'dead', String(role));
    assert.equal(capabilityVerdict(cap, 's1', 'read', 'moderator'), 'allow');
    assert.equal(capabilityVerdict(cap, 's1', 'post', 'moderator'), 'deny');
    assert.equal(capabilityVerdict({ spaceId: 's1', permissions: ['read', 'post'] }, 's1', 'post', 'owner'), 'allow');
    assert.equal(capabilityVerdict({ spaceId: 's1', permissions: ['admin'] }, 's1', 'read', 'owner'), 'dead', 'unknown permissions grant nothing');
  });
});

describe('the friendship rule', () => {
  it('connects only when both sides have asked, and allows direct messages only then', () => {
    assert.equal(contactState(false, false), 'none');
    assert.equal(contactState(true, false), 'pending');
    assert.equal(contactState(false, true), 'pending');
    assert.equal(contactState(true, true), 'connected');
    for (const a of [false, true]) for (const b of [false, true]) assert.equal(mayMessageDirectly(contactState(a, b)), a && b);
  });
});
