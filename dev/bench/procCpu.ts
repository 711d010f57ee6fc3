import { readFileSync } from 'node:fs';

/** Linux clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on every mainstream kernel build). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat; NaN where /proc is missing. */
export function cpuMs(pid: number | undefined): number {
  return pid === undefined ? Number.NaN : statCpuMs(`/proc/${pid}/stat`);
}

/**
 * CPU time of this process's main thread alone (the JavaScript thread), in ms, from
 * /proc/self/task/<pid>/stat: without the threads that collect garbage, compile and run the
 * libuv pool, which `process.cpuUsage()` counts too. NaN where /proc is missing.
 */
export function mainThreadCpuMs(): number {
  return statCpuMs(`/proc/self/task/${process.pid}/stat`);
}

function statCpuMs(file: string): number {
  try {
    const stat = readFileSync(file, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** CPU ms each process uses while `work` runs. */
export async function measureCpu<T>(pids: Record<string, number | undefined>, work: () => Promise<T>): Promise<{ result: T; cpu: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
  const result = await work();
  const cpu = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid) - (before[name] ?? Number.NaN)]));
  return { result, cpu };
}

/** The 1-minute load average and the number of CPUs, to say how loaded a shared machine was. */
export function machineLoad(): string {
  try {
    const [one, five] = readFileSync('/proc/loadavg', 'utf8').split(' ');
    const cpus = readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((line) => line.startsWith('processor')).length;
    return `load average ${one} (1 min), ${five} (5 min) on ${cpus} CPUs`;
  } catch {
    return 'load average unknown';
  }
}
