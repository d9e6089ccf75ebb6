// Slowloris (headers sent a few bytes every 2 s) and slow body (R-U-Dead-Yet: a 4 KiB body
// trickled in) with slowhttptest against the real HTTPS listener (MISSION §1.4: very slow
// requests are a DoS vector). While 150 attack connections are open, a normal client is
// served every time, promptly; slowloris connections are cut by the server (headersTimeout 10 s,
// enforced every second by connectionsCheckingInterval) before the attack's 15 s are over, and
// slow-body connections once their request has taken 30 s (requestTimeout), before that attack's 36 s are over.
// slowhttptest is required (.ci/run installs it): without it this test fails, it never skips.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionsClosed, probeDuring, runSlowhttptest } from '../helpers/slowClients.ts';
import { httpsRequest, startTestServer } from '../helpers/testServer.ts';

/** Under attack: a normal client asks every 500 ms; every answer must be 200 within 2 s. */
async function attackWhileServing(mode: '-H' | '-B', path: string, attackSeconds: number, extra: string[] = []) {
  const server = await startTestServer({ listen: true });
  try {
    const attack = runSlowhttptest([mode, '-c', '150', '-r', '100', '-i', '2', '-l', String(attackSeconds), '-p', '3', '-u', `${server.url}${path}`, ...extra]);
    // The attack's connections are open after 2 s.
    const { result: output, probes } = await probeDuring(attack, async () => (await httpsRequest(server, 'GET', '/healthz')).status, { startAfterMs: 2000, everyMs: 500 });
    assert.ok(probes.length >= 10, `the normal client asked ${probes.length} times during the attack`);
    assert.deepEqual(probes.filter((p) => p.status !== 200 || p.ms > 2000), [], 'every normal request was served within 2 s');
    return output;
  } finally {
    await server.close();
  }
}

describe('slow clients against the real HTTPS listener', { concurrency: 2 }, () => {
  it('slowloris: the normal client is served throughout, and the server cuts the slow connections', async () => {
    const output = await attackWhileServing('-H', '/healthz', 15);
    assert.match(output, /connected:\s+\d+/, 'the attack ran');
    const closed = connectionsClosed(output);
    assert.ok(closed > 0 || /No open connections left/.test(output), `the server cut slowloris connections (closed: ${closed})`);
  });

  it('slow body: the normal client is served throughout', async () => {
    // As JSON, so the server has to read the body (a wrong content type is refused at once).
    // 36 s: past the 30 s a request may take, so the server's cut shows in the attack's own count.
    const output = await attackWhileServing('-B', '/v1/users', 36, ['-f', 'application/json', '-s', '8192']);
    assert.match(output, /connected:\s+\d+/, 'the attack ran');
    const closed = connectionsClosed(output);
    assert.ok(closed > 0 || /No open connections left/.test(output), `the server cut slow-body connections once their request took 30 s (closed: ${closed})`);
  });
});
