import { ConfigError } from '../config/loadConfig.ts';
import { GatehouseError } from '../errors/GatehouseError.ts';
import { auditCommand } from './commands/audit.ts';
import { capabilityCommand } from './commands/capability.ts';
import { dbCommand } from './commands/db.ts';
import { keysCommand } from './commands/keys.ts';
import { serveCommand } from './commands/serve.ts';
import { threatsCommand } from './commands/threats.ts';
import { userCommand } from './commands/user.ts';
import { UsageError, type Command } from './Command.ts';

const COMMANDS: Record<string, Command> = { serve: serveCommand, user: userCommand, capability: capabilityCommand(), audit: auditCommand, keys: keysCommand, threats: threatsCommand, db: dbCommand };

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  serve                       run the HTTPS server (configured by GATEHOUSE_* variables)
  user add <name> [--admin]   create a user; the password is read from standard input
  capability attenuate <token> [--read-only] [--expires-in <s>]
                              narrow a capability token offline (no key needed)
  user reset-password <name>  set a new password (from standard input); ends the user's sessions and tokens
  audit verify|checkpoint|export|prune
                              check, pin, export or prune the tamper-evident audit log
  keys list|rotate|reencrypt  manage the keyring (rotation keeps old data readable)
  threats check|report        the threat model: CI gate on its evidence, or its SVG and report
  db migrate [--runtime-role <name>]
                              apply migrations as the owner role; grant the server's least-privileged role

Run "gatehouse <command> --help" for a command's options.`;

/** Runs the command line; returns the process exit code. */
export async function main(argv: readonly string[], io: CommandIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`gatehouse: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`gatehouse ${name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.err(`gatehouse: configuration error: ${err.message}`);
      return 78; // EX_CONFIG
    }
    if (err instanceof GatehouseError) {
      io.err(`gatehouse ${name}: ${err.detail ?? err.message}`);
      return 1;
    }
    io.err(`gatehouse ${name}: ${(err as Error).message}`);
    return 1;
  }
}

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** Reads a secret: all of standard input when piped, a hidden prompt on a terminal. */
  readSecret(prompt: string): Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

function defaultIo(): CommandIo {
  return {
    out: (t) => process.stdout.write(t + '\n'),
    err: (t) => process.stderr.write(t + '\n'),
    readSecret,
    env: process.env,
  };
}

async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(value));
        if (ch === '\u0003') return finish(() => reject(new Error('interrupted')));
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const finish = (then: () => void) => {
      stdin.setRawMode(false);
      stdin.off('data', onData);
      stdin.pause();
      process.stderr.write('\n');
      then();
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}
