import { parseArgs } from 'node:util';
import { CONFIG_VARIABLES, loadConfig } from '../../config/loadConfig.ts';
import { startServer } from '../../server/start.ts';
import { parseOrUsage, UsageError, type Command } from '../Command.ts';

export const serveCommand: Command = {
  usage: `Usage: gatehouse serve

Runs the HTTPS server. SIGHUP rereads the certificate files and the keyring without
dropping connections; SIGTERM/SIGINT stop gracefully. Configuration comes from environment variables:
  ${CONFIG_VARIABLES.join('\n  ')}
See README.md for what each one does and its default.`,

  async run(args, io) {
    const { values } = parseStrict(args);
    if (values.help) {
      io.out(this.usage);
      return 0;
    }
    const config = loadConfig(io.env);
    const server = await startServer(config);
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        server.app.fastify.log.info({ signal }, 'shutting down: finishing in-flight requests and flushing the audit log');
        server.stop().then(resolve, (err) => {
          server.app.fastify.log.error({ err }, 'error during shutdown');
          resolve();
        });
      };
      process.on('SIGHUP', () => {
        server.reload().catch((err) => server.app.fastify.log.error({ err }, 'reload failed; still serving the previous certificate and keys'));
      });
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
    return 0;
  },
};

function parseStrict(args: readonly string[]) {
  return parseOrUsage(() => parseArgs({ args: [...args], options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: false }));
}
