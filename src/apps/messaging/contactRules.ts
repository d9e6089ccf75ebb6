import type { UserRepository } from '../../accounts/UserRepository.ts';
import { GatehouseError, invalidField } from '../../errors/GatehouseError.ts';
import type { Principal } from '../../pipeline/authn/principal.ts';
import type { Decision, ResourceRule } from '../../pipeline/authz/policy.ts';
import type { ContactRepository } from './ContactRepository.ts';
import { contactState, mayMessageDirectly } from './policy.ts';

/** What the contact rules tell the handler. */
export interface PeerAccess {
  readonly peerId: string;
  readonly peer: string;
}

const forbidden = (auditReason: string): Decision => ({ allow: false, error: new GatehouseError('forbidden', { detail: 'You can send direct messages only to your connected contacts', auditReason }) });

/**
 * The resource rules of contacts and direct messages: they load the other user and the
 * contact state, and apply the pure friendship rule (policy.ts). Handlers never check it.
 */
export function contactAccessRules(deps: { users: UserRepository; contacts: ContactRepository }) {
  /** The other user named by `:username`, if it is a real user other than the caller. */
  async function peerOf(principal: Principal, username: string): Promise<{ id: string; username: string } | 'self' | undefined> {
    if (principal.kind !== 'user' || username.length > 64) return undefined;
    const peer = await deps.users.findByUsername(username);
    if (!peer) return undefined;
    return peer.id === principal.userId ? 'self' : { id: peer.id, username: peer.username };
  }

  /** `:username` is another existing user (for contacts and reading a conversation). */
  const otherUser: ResourceRule = {
    description: '`username` is another user',
    phase: 'beforeBody',
    async decide(principal, request) {
      const { username } = request.params as { username: string };
      const peer = await peerOf(principal, username);
      if (peer === 'self') return { allow: false, error: invalidField('username', 'That is you') };
      if (!peer) return { allow: false, error: new GatehouseError('not_found', { detail: 'No such user', auditReason: 'no such user' }) };
      return { allow: true, access: { peerId: peer.id, peer: peer.username } satisfies PeerAccess };
    },
  };

  /** The friendship rule: direct messages only between connected users (403 otherwise, also for unknown users). */
  const connectedWithPeer: ResourceRule = {
    description: 'the caller and `username` are connected contacts',
    phase: 'beforeBody',
    async decide(principal, request) {
      const { username } = request.params as { username: string };
      const peer = await peerOf(principal, username);
      if (!peer || peer === 'self' || principal.kind !== 'user') return forbidden('authorization: no such contact');
      const asked = await deps.contacts.between(principal.userId, peer.id);
      const state = contactState(asked.askedByMe, asked.askedByThem);
      if (!mayMessageDirectly(state)) return forbidden(`authorization: ${principal.username} and ${peer.username} are ${state === 'none' ? 'not contacts' : 'not yet connected'}`);
      return { allow: true, access: { peerId: peer.id, peer: peer.username } satisfies PeerAccess };
    },
  };

  return { otherUser, connectedWithPeer };
}
