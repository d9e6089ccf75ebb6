// The server under test for bench/ratelimit/run.ts, in its own process so that its CPU time
// is measured apart from the load generator's. Config overrides arrive as JSON in argv[2];
// the parent asks for process.cpuUsage() over IPC.
import { startTestServer } from '../../test/helpers/testServer.ts';

const server = await startTestServer({ listen: true, config: JSON.parse(process.argv[2] ?? '{}') });
process.on('message', (m) => {
  if (m === 'cpu') process.send!({ cpu: process.cpuUsage() });
  if (m === 'stop') void server.close().then(() => process.exit(0));
});
process.send!({ url: server.url });
