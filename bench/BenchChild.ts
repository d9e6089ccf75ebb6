/**
 * A child process of the benchmark (a server or the load generator): started with
 * `node --import tsx <script>` (a load generator) or `node <bundle>` (a server, bundled as
 * `gatehouse serve` is: bin/bundle.js), pinned to one core with taskset when it can be, its stdout
 * read as JSON lines (bench/protocol.ts). Every live child is tracked so that the runner can
 * kill them all on an error, a timeout or Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import readline from 'node:readline';
import { parseJsonLine } from './protocol.ts';

const live = new Set<BenchChild>();

/** Whether children can be pinned: taskset exists, works, and there are two cores to use. */
export const CAN_PIN = os.availableParallelism() >= 2 && spawnSync('taskset', ['-c', '1', 'true']).status === 0;

export interface BenchChildOptions {
  readonly label: string;
  /** Core to pin to (ignored when pinning is not possible). */
  readonly core: number;
  /** Script path relative to `cwd`: TypeScript run through tsx, or a bundle when `bundled`. */
  readonly script: string;
  /** `script` is a JavaScript bundle (bin/bundle.js): run by node alone, without tsx. */
  readonly bundled?: boolean;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
}

export class BenchChild {
  readonly label: string;
  private readonly proc: ChildProcess;
  private readonly inbox: unknown[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly tail: string[] = [];
  private exitCode: number | null | undefined; // undefined while running
  private readonly exited: Promise<void>;

  constructor(options: BenchChildOptions) {
    this.label = options.label;
    const nodeArgs = [...(options.nodeArgs ?? []), ...(options.bundled ? [] : ['--import', 'tsx']), options.script];
    const [command, args] = CAN_PIN
      ? ['taskset', ['-c', String(options.core), process.execPath, ...nodeArgs]] as const
      : [process.execPath, nodeArgs] as const;
    // stdin stays an open pipe: the child stops when it closes (the runner died).
    this.proc = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(this);
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        live.delete(this);
        this.wake();
        resolve();
      });
    });
    this.proc.once('error', (err) => this.keep(`spawn error: ${err.message}`));
    readline.createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      const message = parseJsonLine(line);
      if (message !== undefined && typeof message === 'object' && message !== null && !('level' in message)) {
        this.inbox.push(message);
        this.wake();
      } else {
        this.keep(line);
      }
    });
    readline.createInterface({ input: this.proc.stderr! }).on('line', (line) => this.keep(line));
  }

  /** The process id (taskset execs node, so it is node's). */
  get pid(): number {
    if (this.proc.pid === undefined) throw new Error(`${this.label}: the process did not start`);
    return this.proc.pid;
  }

  /**
   * The first message (in order) that `pick` accepts; earlier messages it refuses are dropped.
   * Rejects if the process exits first or after `timeoutMs`.
   */
  waitFor<T>(what: string, timeoutMs: number, pick: (message: unknown) => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        while (this.inbox.length > 0) {
          const picked = pick(this.inbox.shift());
          if (picked !== undefined) return finish(() => resolve(picked));
        }
        if (this.exitCode !== undefined) {
          finish(() => reject(new Error(`${this.label} exited (code ${this.exitCode}) before ${what}\n${this.recentOutput()}`)));
        }
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${this.label}: no ${what} within ${timeoutMs} ms\n${this.recentOutput()}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** The last lines the child wrote that were not protocol messages (for error reports). */
  recentOutput(): string {
    return this.tail.map((l) => `  [${this.label}] ${l}`).join('\n');
  }

  private keep(line: string): void {
    this.tail.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
    if (this.tail.length > 30) this.tail.shift();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Sends SIGKILL to every child still running (synchronous: usable in an 'exit' handler). */
  static killAllNow(): void {
    for (const child of live) {
      if (child.exitCode === undefined) child.proc.kill('SIGKILL');
    }
  }

  /** Stops every child still running. */
  static async stopAll(graceMs = 2000): Promise<void> {
    await Promise.all([...live].map((child) => child.stop(graceMs)));
  }
}
