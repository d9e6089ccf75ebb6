// A Gatehouse server started for the purpose of an independent check (verify:tls,
// verify:attacks): the real `gatehouse serve` in its own process, on a free loopback port,
// with a fresh data directory (generated development certificate and keys), stopped and
// removed afterwards. Also: the one place that checks that a Debian tool is installed.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { send, type Target } from './client.ts';

/** A command-line tool a check needs, and the Debian package that provides it. */
export interface Tool {
  readonly command: string;
  readonly pkg: string;
}

/** The tools among `tools` that are not on the PATH. */
export function missingTools(tools: readonly Tool[]): Tool[] {
  return tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t.command}`]).status !== 0);
}

/** Exits with status 2 and the exact install line when any of `tools` is missing. */
export function requireTools(check: string, tools: readonly Tool[]): void {
  const missing = missingTools(tools);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((t) => t.pkg))].join(' ');
  console.error(`${check} needs ${missing.map((t) => t.command).join(', ')}: apt-get install -y ${packages}`);
  if (process.env.CI === 'true') console.error('(in CI, .ci/run installs these before it runs the check; is it in its list of missing packages?)');
  process.exit(2);
}

/** A port nobody listens on right now (loopback). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

async function waitForServer(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); }).on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('server did not start');
}

/**
 * Until GET /readyz answers 200: right after start the event loop is busy (the UI bundle,
 * first compilations), and load shedding may answer 503 for a moment on a loaded machine.
 */
async function waitUntilReady(target: Target): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const status = await send(target, { method: 'GET', path: '/readyz' }, { timeoutMs: 5000 }).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('server did not become ready (GET /readyz)');
}

export interface PurposeServerOptions {
  /** GATEHOUSE_* settings on top of the fresh data dir and port. */
  readonly env?: Readonly<Record<string, string>>;
  /** Administrators to create with `gatehouse user add --admin` before the server starts. */
  readonly admins?: ReadonlyArray<{ username: string; password: string }>;
  /** Where the server's own output goes: 'inherit', or a log file in the data dir (shown by `logTail`). */
  readonly output?: 'inherit' | 'file';
  /** Prefix of the temporary data directory's name. */
  readonly name?: string;
}

export interface PurposeServer {
  readonly port: number;
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** The generated development certificate (PEM), to trust in clients; empty with GATEHOUSE_TLS_CERT. */
  readonly ca: string;
  readonly dataDir: string;
  /** The environment the server runs with (for CLI commands on the same data). */
  readonly env: Readonly<Record<string, string>>;
  /** The server process has not exited. */
  alive(): boolean;
  exitCode(): number | null;
  /** The last lines the server wrote (output: 'file'). */
  logTail(lines?: number): string;
  /** The log lines at level error or above (pino: 50 and up), in full (output: 'file'). */
  errorLines(): string[];
  /** Runs `gatehouse <args>` on the same configuration, e.g. `audit verify` after stop(). */
  cli(args: readonly string[], input?: string): SpawnSyncReturns<string>;
  /** SIGTERM and wait for a graceful stop (the audit log is flushed). */
  stop(): Promise<void>;
  /** stop(), then remove the data directory. */
  dispose(): Promise<void>;
}

/** Starts `gatehouse serve` on 127.0.0.1 with a fresh data dir and waits until it accepts connections. */
export async function startPurposeServer(options: PurposeServerOptions = {}): Promise<PurposeServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${options.name ?? 'gatehouse-check'}-`));
  const port = await freePort();
  const env: Record<string, string> = {
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_HOST: '127.0.0.1',
    GATEHOUSE_PORT: String(port),
    GATEHOUSE_LOG_LEVEL: 'warn',
    ...options.env,
  };
  // The parent's GATEHOUSE_* settings are not this server's (but GATEHOUSE_TLS_* may be given through options.env).
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_')));
  const childEnv = { ...base, ...env };
  const cli = (args: readonly string[], input?: string) =>
    spawnSync(process.execPath, ['bin/gatehouse.js', ...args], { env: childEnv, encoding: 'utf8', input: input ?? '', timeout: 120_000 });
  for (const admin of options.admins ?? []) {
    const made = cli(['user', 'add', admin.username, '--admin'], admin.password);
    if (made.status !== 0) throw new Error(`gatehouse user add ${admin.username}: ${made.stderr}`);
  }
  const logFile = path.join(dataDir, 'server.log');
  const out = options.output === 'file' ? fs.openSync(logFile, 'a') : 'inherit';
  const child = spawn(process.execPath, ['bin/gatehouse.js', 'serve'], { env: childEnv, stdio: ['ignore', out, out] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); };
  process.on('exit', kill);
  const stop = async () => {
    kill();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const certFile = path.join(dataDir, 'dev-cert.pem');
  let ca = '';
  try {
    await waitForServer(port, child);
    // The certificate is written before the server listens; with GATEHOUSE_TLS_CERT there is none.
    ca = fs.existsSync(certFile) ? fs.readFileSync(certFile, 'utf8') : '';
    if (ca) await waitUntilReady({ port, ca });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    ca,
    dataDir,
    env,
    alive: () => child.exitCode === null && child.signalCode === null,
    exitCode: () => child.exitCode,
    logTail: (lines = 20) => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : ''),
    errorLines: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => Number(/^\{"level":(\d+)/.exec(l)?.[1]) >= 50) : []),
    cli,
    stop,
    async dispose() {
      await stop();
      process.off('exit', kill);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
