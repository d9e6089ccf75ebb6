import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/loadConfig.ts';
import { openDatabase } from '../../store/database.ts';
import { grantRuntimeRole } from '../../store/runtimeRole.ts';
import { parseOrUsage, UsageError, type Command } from '../Command.ts';

export const dbCommand: Command = {
  usage: `Usage: gatehouse db migrate [--runtime-role <name>]

  migrate                  apply every pending migration to GATEHOUSE_DATABASE_URL. On PostgreSQL,
                           run it as the owner role (the one that owns the tables).
  --runtime-role <name>    PostgreSQL: afterwards create the role if missing and grant it exactly
                           what the server needs; on audit_log only SELECT and INSERT. Run the
                           server as that role (README "Running several instances"); set its password with ALTER ROLE.`,

  async run(args, io) {
    const parsed = parseOrUsage(() => parseArgs({ args: [...args], options: { 'runtime-role': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true }));
    if (parsed.values.help) {
      io.out(this.usage);
      return 0;
    }
    const [action, ...rest] = parsed.positionals;
    if (action !== 'migrate') throw new UsageError(action ? `unknown action "${action}"` : 'missing action');
    if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const config = loadConfig(io.env);
    const role = parsed.values['runtime-role'];
    const database = await openDatabase(config.databaseUrl); // opening migrates
    try {
      io.out('migrations applied');
      if (role !== undefined) {
        if (database.dialect !== 'postgres') throw new UsageError('--runtime-role needs a postgres:// database');
        const schema = new URL(config.databaseUrl).searchParams.get('schema') ?? 'public';
        const statements = await grantRuntimeRole(database.db, role, schema);
        io.out(`runtime role ${role}: ${statements.length} statements applied`);
      }
    } finally {
      await database.close();
    }
    return 0;
  },
};
