import { buildApp } from '../server/buildApp.ts';
import { loadConfig } from '../config/loadConfig.ts';
import { Keyring } from '../crypto/keyring.ts';
import { openDatabase } from '../store/database.ts';
import type { LiveRoute } from './routeDrift.ts';

/**
 * Gatehouse's live route table: builds the real app in-process on an in-memory database with
 * throwaway keys (nothing listens, nothing is written), and reads App.routes.
 */
export async function readLiveRoutes(): Promise<LiveRoute[]> {
  const config = loadConfig({}, { dataDir: '/nonexistent-threat-check', databaseUrl: 'sqlite::memory:', logLevel: 'silent' });
  const database = await openDatabase(config.databaseUrl);
  try {
    const app = await buildApp({ config, database, keyring: Keyring.ephemeral() });
    await app.fastify.close();
    return app.routes.map((r) => ({ method: r.method, url: r.url, audience: r.policy.audience }));
  } finally {
    await database.close();
  }
}
