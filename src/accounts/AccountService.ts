import type { Clock } from '../clock.ts';
import { newId } from '../crypto/random.ts';
import { GatehouseError } from '../errors/GatehouseError.ts';
import { isUniqueViolation } from '../store/errors.ts';
import { hashPassword, type HashingGate } from './passwordHashing.ts';
import { checkPasswordPolicy } from './passwordPolicy.ts';
import type { User, UserRepository } from './UserRepository.ts';

/** Lowercase letter first, then letters, digits, `_` or `-`; 3–32 characters. ASCII only, so no look-alike names. */
export const USERNAME_PATTERN = '^[a-z][a-z0-9_-]{2,31}$';
const USERNAME_REGEX = new RegExp(USERNAME_PATTERN);

/** Creating accounts. */
export class AccountService {
  constructor(
    private readonly users: UserRepository,
    private readonly gate: HashingGate,
    private readonly clock: Clock,
  ) {}

  /** Registers a user; 400 for a bad name or weak password, 409 if the name is taken. */
  async register(username: string, password: string, options: { isAdmin?: boolean } = {}): Promise<User> {
    if (!USERNAME_REGEX.test(username)) {
      throw new GatehouseError('invalid_request', {
        detail: 'The username must be 3–32 lowercase letters, digits, _ or -, starting with a letter',
        extras: { field: 'username' },
      });
    }
    checkPasswordPolicy(username, password);
    if (await this.users.findByUsername(username)) throw usernameTaken();
    const user: User = {
      id: newId(),
      username,
      passwordHash: await this.gate.run(() => hashPassword(password)),
      isAdmin: options.isAdmin ?? false,
      disabled: false,
      createdAt: this.clock(),
    };
    try {
      await this.users.insert(user);
    } catch (err) {
      if (isUniqueViolation(err)) throw usernameTaken(); // lost a race with a concurrent registration
      throw err;
    }
    return user;
  }
}

function usernameTaken(): GatehouseError {
  return new GatehouseError('conflict', { detail: 'That username is taken', extras: { field: 'username' } });
}
