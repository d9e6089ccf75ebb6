/**
 * What Linux's /proc says about a process: CPU time used so far (utime + stime, all threads)
 * and peak resident memory (VmHWM). Elsewhere these read as undefined and are reported as such.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, nearly always 100). */
export const CLOCK_TICKS_PER_SECOND = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(out.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
})();

/** CPU seconds the process has used, user plus system, or undefined without /proc. */
export function cpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (comm) may hold spaces and parentheses: count fields after its closing ')'.
  // After it come field 3 (state) onwards, so utime (field 14) is at index 11, stime at 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** Peak resident set size in bytes (VmHWM), or undefined without /proc. */
export function peakRssBytes(pid: number): number | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/**
 * CPU seconds all processes of the machine have used (user, nice and system time of every
 * core; interrupt work excluded), or undefined without /proc. Minus the server's and the load
 * generator's own, it shows how busy the rest of the machine was during a measurement.
 */
export function machineProcessCpuSeconds(): number | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const [user, nice, system] = (stat.split('\n', 1)[0] ?? '').split(/\s+/).slice(1, 4).map(Number);
  if (user === undefined || nice === undefined || system === undefined || ![user, nice, system].every(Number.isFinite)) return undefined;
  return (user + nice + system) / CLOCK_TICKS_PER_SECOND;
}
