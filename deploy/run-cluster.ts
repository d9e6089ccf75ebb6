// `npm run cluster [-- <instances>]`: N Gatehouse instances (default 3) behind HAProxy on
// loopback, against the local PostgreSQL and Redis (GATEHOUSE_DATABASE_URL and
// GATEHOUSE_REDIS_URL override the defaults). Ctrl-C stops everything.
import path from 'node:path';
import { startCluster } from './cluster.ts';

const size = Number(process.argv[2] ?? 3);
if (!Number.isInteger(size) || size < 1 || size > 16) {
  console.error('usage: npm run cluster [-- <instances 1..16>]');
  process.exit(2);
}
const cluster = await startCluster({
  size,
  basePort: Number(process.env.GATEHOUSE_CLUSTER_PORT ?? 9443),
  databaseUrl: process.env.GATEHOUSE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test?schema=public',
  redisUrl: process.env.GATEHOUSE_REDIS_URL ?? 'redis://127.0.0.1:6379',
  dir: path.resolve('data/cluster'),
});
console.log(`Gatehouse: ${size} instances behind HAProxy at ${cluster.url} (certificate: data/cluster/cert.pem)`);
for (const inst of cluster.instances) console.log(`  instance ${inst.url} (pid ${inst.child.pid})`);
const stop = async () => {
  await cluster.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
