import { parseArgs } from 'node:util';
import { AccountService, USERNAME_PATTERN } from '../../accounts/AccountService.ts';
import { HashingGate } from '../../accounts/passwordHashing.ts';
import { PasswordService } from '../../accounts/PasswordService.ts';
import { SessionService } from '../../accounts/SessionService.ts';
import { TokenService } from '../../accounts/TokenService.ts';
import { UserRepository } from '../../accounts/UserRepository.ts';
import { systemClock } from '../../clock.ts';
import { Keyring } from '../../crypto/keyring.ts';
import { loadConfig } from '../../config/loadConfig.ts';
import { prepareDataDir } from '../../server/start.ts';
import { openDatabase } from '../../store/database.ts';
import { parseOrUsage, UsageError, type Command } from '../Command.ts';

export const userCommand: Command = {
  usage: `Usage: gatehouse user add <username> [--admin]
       gatehouse user reset-password <username>

add             creates a user in the configured database (GATEHOUSE_DATA_DIR / GATEHOUSE_DATABASE_URL)
reset-password  sets a new password and ends every session and API token of the user

The password is read from standard input when it is not a terminal, e.g.
  printf '%s' "$PASSWORD" | gatehouse user add alice --admin
and asked for without echo on a terminal.

Options:
  --admin   make the user an administrator
  --help    show this help`,

  async run(args, io) {
    const parsed = parseOrUsage(() => parseArgs({ args: [...args], options: { admin: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true }));
    if (parsed.values.help) {
      io.out(this.usage);
      return 0;
    }
    const [action, username, ...extra] = parsed.positionals;
    if (action !== 'add' && action !== 'reset-password') throw new UsageError(action ? `unknown action "${action}"` : 'missing action');
    if (action === 'reset-password' && parsed.values.admin) throw new UsageError('--admin only applies to "add"');
    if (!username) throw new UsageError('missing <username>');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);

    const config = loadConfig(io.env);
    // Refuse a bad name before asking for a password the user would type for nothing.
    if (action === 'add' && !new RegExp(USERNAME_PATTERN).test(username)) {
      throw new UsageError(`"${username}" is not a valid username: 3–32 lowercase letters, digits, _ or -, starting with a letter`);
    }
    const password = await io.readSecret(`${action === 'add' ? 'Password' : 'New password'} for ${username}: `);
    if (config.databaseUrl.startsWith('sqlite:')) prepareDataDir(config.dataDir);
    const database = await openDatabase(config.databaseUrl);
    try {
      if (action === 'reset-password') {
        const users = new UserRepository(database.db);
        // Session timeouts and the CSRF key play no part in revoking, so placeholders do.
        const sessions = new SessionService(database.db, Keyring.ephemeral(), { idleSeconds: 60, absoluteSeconds: 60 }, systemClock);
        const passwords = new PasswordService(users, sessions, new TokenService(database.db, systemClock), new HashingGate());
        const ended = await passwords.reset(username, password);
        io.out(`new password set for ${username}; ended ${ended.sessions} session(s) and ${ended.tokens} token(s)`);
        return 0;
      }
      const accounts = new AccountService(new UserRepository(database.db), new HashingGate(), systemClock);
      const user = await accounts.register(username, password, { isAdmin: parsed.values.admin ?? false });
      io.out(`created ${user.isAdmin ? 'administrator' : 'user'} ${user.username} (id ${user.id})`);
      return 0;
    } finally {
      await database.close();
    }
  },
};
