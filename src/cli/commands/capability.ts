import { parseArgs } from 'node:util';
import { AttenuationError, attenuateCapability } from '../../capabilities/attenuate.ts';
import { readCaveats } from '../../capabilities/macaroonToken.ts';
import { systemClock, type Clock } from '../../clock.ts';
import { parseOrUsage, UsageError, type Command } from '../Command.ts';

/** `gatehouse capability`: work with capability tokens offline (no server, no key). */
export function capabilityCommand(clock: Clock = systemClock): Command {
  return {
    usage: `Usage: gatehouse capability attenuate <token|-> [--read-only] [--expires-in <seconds>] [--method <GET|POST>]
       gatehouse capability inspect <token|->

attenuate  prints a narrower copy of the token: it adds caveats, which needs no key and
           cannot be undone. The server accepts the copy with the narrower rights only.
inspect    prints the token's caveats (not verified: only the server can verify).
A token of "-" is read from standard input.

Options:
  --read-only             keep only the "read" permission
  --expires-in <seconds>  expire this many seconds from now (or earlier, if the token does)
  --method <METHOD>       allow only this HTTP method (repeatable)
  --help                  show this help`,

    async run(args, io) {
      const parsed = parseOrUsage(() => parseArgs({
          args: [...args],
          options: {
            'read-only': { type: 'boolean' },
            'expires-in': { type: 'string' },
            method: { type: 'string', multiple: true },
            help: { type: 'boolean', short: 'h' },
          },
          allowPositionals: true,
        }));
      if (parsed.values.help) {
        io.out(this.usage);
        return 0;
      }
      const [action, tokenArg, ...extra] = parsed.positionals;
      if (action !== 'attenuate' && action !== 'inspect') throw new UsageError(action ? `unknown action "${action}"` : 'missing action');
      if (!tokenArg) throw new UsageError('missing <token>');
      if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
      const token = tokenArg === '-' ? (await io.readSecret('Capability token: ')).trim() : tokenArg;

      if (action === 'inspect') {
        try {
          for (const caveat of readCaveats(token)) io.out(caveat);
        } catch {
          throw new UsageError('not a capability token');
        }
        return 0;
      }
      const expiresIn = parsed.values['expires-in'];
      if (expiresIn !== undefined && !/^\d{1,10}$/.test(expiresIn)) throw new UsageError('--expires-in takes a whole number of seconds');
      try {
        io.out(attenuateCapability(token, {
          ...(parsed.values['read-only'] ? { permissions: ['read'] } : {}),
          ...(expiresIn !== undefined ? { expiresInSeconds: Number(expiresIn) } : {}),
          ...(parsed.values.method ? { methods: parsed.values.method } : {}),
        }, clock()));
      } catch (err) {
        if (err instanceof AttenuationError) throw new UsageError(err.message);
        throw err;
      }
      return 0;
    },
  };
}
