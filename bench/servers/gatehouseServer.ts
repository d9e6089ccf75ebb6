/**
 * The real Gatehouse server for the gatehouse-* scenarios: configured from the GATEHOUSE_*
 * variables bench/run.ts sets (data dir, port 0, rate limits) plus an unreachable user plan,
 * started by startServer as `gatehouse serve` does, and seeded through its own HTTP API
 * (inject: the full pipeline).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/loadConfig.ts';
import type { Config } from '../../src/config/schema.ts';
import { startServer } from '../../src/server/start.ts';
import { certKindFromEnv, generateCertificate } from './benchCertificate.ts';
import { AUTHOR, MESSAGE_TEXT, stopOnSignal } from './serverChild.ts';

export interface Seeded {
  readonly token: string;
  readonly spaceId: string;
  readonly messageId: string;
}

/** Quotas no benchmark run reaches (the built-in plans cap one user at 6000 requests a minute). */
const UNREACHABLE_PLAN = { perMinute: 1_000_000_000, perDay: 1_000_000_000_000 };

/**
 * The configuration from the GATEHOUSE_* variables bench/run.ts sets, plus what no variable
 * can set: a user plan whose quotas the one benchmark user never reaches, made the default.
 */
async function benchConfig(): Promise<Readonly<Config>> {
  const fromEnv = loadConfig(process.env);
  // Spread from fromEnv: loadConfig merges a rateLayers override over its defaults, dropping
  // the GATEHOUSE_RATE_* values of that group that came from the environment.
  return loadConfig(process.env, {
    rateLayers: { ...fromEnv.rateLayers, plans: { ...fromEnv.rateLayers.plans, bench: UNREACHABLE_PLAN }, defaultPlan: 'bench' },
    ...(await certificateFiles(fromEnv.dataDir)),
  });
}

/**
 * With BENCH_CERT (the TLS scenarios), a certificate of that kind written into the data dir and
 * configured as an operator would (GATEHOUSE_TLS_CERT/KEY); otherwise the development certificate.
 */
async function certificateFiles(dataDir: string): Promise<Partial<Config>> {
  const kind = certKindFromEnv();
  if (!kind) return {};
  const material = await generateCertificate(kind);
  const tlsCertFile = path.join(dataDir, `bench-${kind}-cert.pem`);
  const tlsKeyFile = path.join(dataDir, `bench-${kind}-key.pem`);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(tlsCertFile, material.cert, { mode: 0o600 });
  fs.writeFileSync(tlsKeyFile, material.key, { mode: 0o600 });
  return { tlsCertFile, tlsKeyFile };
}

/** Starts Gatehouse; it stops on SIGTERM or when the parent goes away. */
export async function startGatehouse(): Promise<{ fastify: FastifyInstance; port: number }> {
  const server = await startServer(await benchConfig());
  stopOnSignal(() => server.stop());
  const fastify = server.app.fastify;
  return { fastify, port: (fastify.server.address() as AddressInfo).port };
}

/** A user with a read+write token, who owns a space holding one message. */
export async function seedReader(fastify: FastifyInstance): Promise<Seeded> {
  const password = `bench-${randomBytes(12).toString('hex')}-tulip-orbit`;
  await expectCreated(fastify, '/v1/users', {}, { username: AUTHOR, password });
  const basic = `Basic ${Buffer.from(`${AUTHOR}:${password}`).toString('base64')}`;
  const { token } = await expectCreated(fastify, '/v1/tokens', { authorization: basic }, { name: 'bench' });
  const bearer = { authorization: `Bearer ${String(token)}` };
  const space = await expectCreated(fastify, '/v1/spaces', bearer, { name: 'bench' });
  const message = await expectCreated(fastify, `/v1/spaces/${String(space.id)}/messages`, bearer, { text: MESSAGE_TEXT });
  return { token: String(token), spaceId: String(space.id), messageId: String(message.id) };
}

async function expectCreated(fastify: FastifyInstance, url: string, headers: Record<string, string>, body: object): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    const res = await fastify.inject({ method: 'POST', url, headers, payload: body });
    if (res.statusCode === 201) return res.json<Record<string, unknown>>();
    // Start-up (tsx compiling, --cpu-prof, a busy machine) can delay the event loop past the
    // load-shedding threshold for a moment: 503 overloaded then is the server working as designed.
    if (res.statusCode !== 503 || attempt >= 40) throw new Error(`seeding POST ${url}: ${res.statusCode} ${res.body}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
