/** The machine a run was measured on, recorded with its numbers. */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { CAN_PIN } from './BenchChild.ts';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly nodeVersion: string;
  readonly platform: string;
  readonly kernel: string;
  readonly totalMemoryMB: number;
  /** Whether server and load generator were pinned to cores 0 and 1. */
  readonly pinned: boolean;
  /** The commit benchmarked (with "+dirty" when the tree had changes), if git is there. */
  readonly commit: string | undefined;
}

export function machineInfo(cwd: string): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    nodeVersion: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
    pinned: CAN_PIN,
    commit: gitCommit(cwd),
  };
}

function gitCommit(cwd: string): string | undefined {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return undefined;
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
  return `${head.stdout.trim()}${dirty.stdout?.trim() ? '+dirty' : ''}`;
}
