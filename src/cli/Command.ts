import type { CommandIo } from './main.ts';

/** A `gatehouse` subcommand. */
export interface Command {
  readonly usage: string;
  run(args: readonly string[], io: CommandIo): Promise<number>;
}

/** Wrong invocation: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Runs an argument parser (node:util parseArgs), turning its complaint into a UsageError (exit 2). */
export function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
