import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { generateDevCertificate } from '../src/server/devCertificate.ts';
import { openDatabase } from '../src/store/database.ts';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export interface ClusterOptions {
  /** Instances behind the balancer (default 3). */
  readonly size?: number;
  /** The balancer listens here; instance i on basePort + 1 + i. */
  readonly basePort: number;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Holds the shared keyring, the certificate, haproxy.cfg and one data dir per instance. */
  readonly dir: string;
  /** Extra GATEHOUSE_* settings for every instance (e.g. rate limits). */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the children's stderr goes (default: inherited). */
  readonly quiet?: boolean;
}

export interface Instance {
  readonly port: number;
  readonly url: string;
  child: ChildProcess;
}

export interface Cluster {
  /** The balancer: https://localhost:<basePort>. */
  readonly url: string;
  readonly port: number;
  /** The deployment's certificate (clients trust it). */
  readonly ca: string;
  readonly instances: Instance[];
  /** SIGKILL one instance (no shutdown, no flush). */
  kill(index: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts N Gatehouse instances and HAProxy on loopback (deploy/README in the main README,
 * "Running several instances"). All instances share the database, Redis, one keyring file
 * and one certificate; the schema is migrated once before they start.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const size = options.size ?? 3;
  fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const certFile = path.join(options.dir, 'cert.pem');
  const keyFile = path.join(options.dir, 'key.pem');
  const pemFile = path.join(options.dir, 'haproxy.pem');
  if (!fs.existsSync(certFile)) {
    const { cert, key } = await generateDevCertificate(new Date());
    fs.writeFileSync(certFile, cert, { mode: 0o600 });
    fs.writeFileSync(keyFile, key, { mode: 0o600 });
  }
  fs.writeFileSync(pemFile, fs.readFileSync(certFile, 'utf8') + fs.readFileSync(keyFile, 'utf8'), { mode: 0o600 });
  (await openDatabase(options.databaseUrl)).close(); // migrate once, before the instances race

  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_')));
  const instanceEnv = (i: number): Record<string, string> => ({
    ...inherited,
    GATEHOUSE_HOST: '127.0.0.1',
    GATEHOUSE_PORT: String(options.basePort + 1 + i),
    GATEHOUSE_DATA_DIR: path.join(options.dir, `instance-${i}`),
    GATEHOUSE_DATABASE_URL: options.databaseUrl,
    GATEHOUSE_REDIS_URL: options.redisUrl,
    GATEHOUSE_KEYRING_FILE: path.join(options.dir, 'keyring'),
    GATEHOUSE_TLS_CERT: certFile,
    GATEHOUSE_TLS_KEY: keyFile,
    GATEHOUSE_TRUST_PROXY: '127.0.0.1',
    GATEHOUSE_LOG_LEVEL: 'warn',
    ...options.env,
  });
  const stdio = ['ignore', 'ignore', options.quiet ? 'ignore' : 'inherit'] as const;
  const bin = path.join(ROOT, 'bin/gatehouse.js');
  // The first instance creates the keyring; the others must read that same file.
  const instances: Instance[] = [];
  let haproxy: ChildProcess | undefined;
  const stopChild = (child: ChildProcess, signal: NodeJS.Signals) =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill(signal); });
  const stopAll = async () => {
    if (haproxy) await stopChild(haproxy, 'SIGTERM');
    await Promise.all(instances.map((inst) => stopChild(inst.child, 'SIGTERM')));
  };
  try {
  for (let i = 0; i < size; i++) {
    const port = options.basePort + 1 + i;
    const instance = { port, url: `https://localhost:${port}`, child: spawn(process.execPath, [bin, 'serve'], { env: instanceEnv(i), stdio: [...stdio] }) };
    instances.push(instance);
    if (i === 0) await waitReady(instance.url, fs.readFileSync(certFile, 'utf8'), instance.child);
  }
  const ca = fs.readFileSync(certFile, 'utf8');
  await Promise.all(instances.map((inst) => waitReady(inst.url, ca, inst.child)));

  const cfg = fs.readFileSync(path.join(ROOT, 'deploy/haproxy.cfg.template'), 'utf8')
    .replace('{{BIND}}', `127.0.0.1:${options.basePort}`)
    .replace('{{PEM}}', pemFile)
    .replace('{{CA}}', certFile)
    .replace('{{SERVERS}}', instances.map((inst, i) => `    server gh${i} 127.0.0.1:${inst.port}`).join('\n'));
  const cfgFile = path.join(options.dir, 'haproxy.cfg');
  fs.writeFileSync(cfgFile, cfg);
  haproxy = spawn('haproxy', ['-db', '-f', cfgFile], { stdio: [...stdio] });
  const url = `https://localhost:${options.basePort}`;
  await waitReady(url, ca, haproxy);
  return {
    url,
    port: options.basePort,
    ca,
    instances,
    kill: (index) => stopChild(instances[index]!.child, 'SIGKILL'),
    stop: stopAll,
  };
  } catch (err) {
    await stopAll(); // never leave orphaned servers behind
    throw err;
  }
}

/** Polls /readyz until 200 (15 s at most); fails at once if the process exits. */
async function waitReady(url: string, ca: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${child.spawnfile} exited (${child.exitCode ?? child.signalCode}) before ${url} was ready`);
    const status = await new Promise<number>((resolve) => {
      https.get(`${url}/readyz`, { ca, agent: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', () => resolve(0));
    });
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready within 15 s`);
}
