import { GatehouseError } from '../errors/GatehouseError.ts';
import type { UserPrincipal } from '../pipeline/authn/principal.ts';
import { hashPassword, type HashingGate } from './passwordHashing.ts';
import { checkPasswordPolicy } from './passwordPolicy.ts';
import type { SessionService } from './SessionService.ts';
import type { TokenService } from './TokenService.ts';
import type { UserRepository } from './UserRepository.ts';

/**
 * The password lifecycle after registration: change (by the user, with the current password
 * checked elsewhere), reset (by an administrator on the command line), and ending the
 * credentials an old password or an old second factor may have handed out.
 */
export class PasswordService {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionService,
    private readonly tokens: TokenService,
    private readonly gate: HashingGate,
  ) {}

  /** Sets a new password (policy-checked) and ends every other session and token of the user. */
  async change(principal: UserPrincipal, newPassword: string): Promise<void> {
    checkPasswordPolicy(principal.username, newPassword);
    await this.users.updatePasswordHash(principal.userId, await this.gate.run(() => hashPassword(newPassword)));
    await this.endOtherCredentials(principal);
  }

  /** Administrator reset: new password, and every session and token of the user ends. */
  async reset(username: string, newPassword: string): Promise<{ sessions: number; tokens: number }> {
    const user = await this.users.findByUsername(username);
    if (!user) throw new GatehouseError('not_found', { detail: `No user named ${username}` });
    checkPasswordPolicy(user.username, newPassword);
    await this.users.updatePasswordHash(user.id, await this.gate.run(() => hashPassword(newPassword)));
    return { sessions: await this.sessions.revokeAllForUser(user.id), tokens: await this.tokens.revokeAllForUser(user.id) };
  }

  /**
   * Ends the user's sessions and tokens except the one making this request: whoever might
   * have obtained them with the old password or the old second factor is out.
   */
  async endOtherCredentials(principal: UserPrincipal): Promise<void> {
    const own = principal.credentialId;
    await this.sessions.revokeAllForUser(principal.userId, principal.authMethod === 'session' ? own : undefined);
    await this.tokens.revokeAllForUser(principal.userId, principal.authMethod === 'bearer' ? own : undefined);
  }
}
