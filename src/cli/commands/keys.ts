import { parseArgs } from 'node:util';
import { KEY_PURPOSES, Keyring, type KeyPurpose } from '../../crypto/keyring.ts';
import { loadConfig } from '../../config/loadConfig.ts';
import { openDatabase } from '../../store/database.ts';
import { reencryptAll } from '../../store/encryptedColumns.ts';
import { parseOrUsage, UsageError, type Command } from '../Command.ts';

export const keysCommand: Command = {
  usage: `Usage: gatehouse keys <action>

Actions:
  list                    the keyring's keys: id, purpose, creation date, which is current (never key material)
  rotate [purpose ...]    add a fresh current key for each purpose (default: all); old keys stay to
                          verify and decrypt existing data. Send SIGHUP to running servers to load it.
  reencrypt               re-encrypt every stored value that is not under its purpose's current key

Purposes: ${KEY_PURPOSES.join(', ')}
The keyring is GATEHOUSE_KEYRING_FILE (default <data dir>/keyring).`,

  async run(args, io) {
    const parsed = parseOrUsage(() => parseArgs({ args: [...args], options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true }));
    if (parsed.values.help) {
      io.out(this.usage);
      return 0;
    }
    const [action, ...rest] = parsed.positionals;
    const config = loadConfig(io.env);
    switch (action) {
      case 'list': {
        if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
        for (const k of Keyring.loadOrCreate(config.keyringFile).describe()) {
          io.out(`${k.current ? '*' : ' '} ${k.purpose.padEnd(16)} ${k.id.padEnd(28)} ${k.createdAt}`);
        }
        return 0;
      }
      case 'rotate': {
        const unknown = rest.filter((p) => !(KEY_PURPOSES as readonly string[]).includes(p));
        if (unknown.length) throw new UsageError(`unknown purpose "${unknown[0]}" (one of ${KEY_PURPOSES.join(', ')})`);
        Keyring.loadOrCreate(config.keyringFile);
        const added = Keyring.rotate(config.keyringFile, rest.length ? (rest as KeyPurpose[]) : KEY_PURPOSES);
        for (const k of added) io.out(`new current ${k.purpose} key ${k.id}`);
        io.out('Send SIGHUP to running servers (or restart them), then run "gatehouse keys reencrypt".');
        return 0;
      }
      case 'reencrypt': {
        if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
        const keyring = Keyring.loadOrCreate(config.keyringFile);
        const database = await openDatabase(config.databaseUrl);
        try {
          const counts = await reencryptAll(database.db, keyring);
          for (const [column, n] of Object.entries(counts)) io.out(`${column}: ${n} value(s) re-encrypted`);
        } finally {
          await database.close();
        }
        return 0;
      }
      default:
        throw new UsageError(action ? `unknown action "${action}"` : 'missing action');
    }
  },
};
