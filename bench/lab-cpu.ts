/**
 * CPU time spent by a lab machine's "remote" side — its sshd, dockerd, containerd and the
 * processes they start (SSH sessions, the engine's tar re-exec) — read from /proc. In the lab
 * these run on the SAME cores as Hindsight, so a benchmark on this machine pays for both ends of the SSH tunnel; knowing how much
 * the far end costs is what turns a wall-clock figure into an explanation.
 *
 * Counted: for each such process, utime + stime + the times of its reaped children (cutime +
 * cstime), as a difference between two snapshots; a process born after the first snapshot counts
 * in full. Other sessions on the same lab machine (tests running meanwhile) are counted too: on a
 * busy machine take it as an upper bound.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc times are in 1/100 s on every common configuration. */
const TICKS_PER_SECOND = 100;

export type CpuSnapshot = Map<number, number>;

interface Proc {
  ppid: number;
  ticks: number;
}

function readProcs(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid …": comm may hold spaces, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is "state" (field 3 of proc(5)): ppid is field 4, utime…cstime fields 14–17.
    out.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) });
  }
  return out;
}

/** The processes (of `pids`, else all) whose command line contains `mark`. */
function pidsWhoseCommandLineHas(mark: string, pids: Iterable<number> = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number)): number[] {
  const out: number[] = [];
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mark)) out.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * The processes of one lab machine: those whose command line names its run directory
 * (`/run/hindsight-lab/<machine>/`: its sshd listener, dockerd, containerd, shims) and all their
 * descendants (sshd sessions, the engine's tar re-exec).
 */
export function labCpuSnapshot(machine = 'production'): CpuSnapshot {
  const procs = readProcs();
  const roots = new Set(pidsWhoseCommandLineHas(`/run/hindsight-lab/${machine}/`, procs.keys()));
  const out: CpuSnapshot = new Map();
  for (const [pid, p] of procs) {
    for (let q: number | undefined = pid, depth = 0; q !== undefined && q > 1 && depth < 8; q = procs.get(q)?.ppid, depth++) {
      if (roots.has(q)) {
        out.set(pid, p.ticks);
        break;
      }
    }
  }
  return out;
}
/** CPU seconds the matching processes used between two snapshots. */
export function labCpuSeconds(before: CpuSnapshot, after: CpuSnapshot): number {
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds the whole machine has used so far (user, nice, system, irq, softirq: /proc/stat). */
export function machineCpuSeconds(): number {
  const [, user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / TICKS_PER_SECOND;
}

/** CPU seconds one process has used so far (its pid file, e.g. the lab's S3 server); 0 when unknown. */
export function processCpuSeconds(pidFile: string): number {
  try {
    const pid = readFileSync(pidFile, 'utf8').trim();
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * The largest peak resident set (VmHWM) of the agent's Node processes — its scheduler, its warm
 * worker, each command's worker — while it watches (every 100 ms: a command's worker ends with its
 * command, and its peak with it), in MiB: what a host lends the agent at most. Found by their
 * command line (the image's /opt/hindsight/).
 */
export function watchAgentPeakRss(): { stop(): number } {
  let peak = 0;
  const look = () => {
    for (const pid of pidsWhoseCommandLineHas('/opt/hindsight/')) {
      try {
        const kib = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
        peak = Math.max(peak, kib / 1024);
      } catch {
        // gone meanwhile
      }
    }
  };
  const timer = setInterval(look, 100);
  return {
    stop: () => {
      clearInterval(timer);
      look();
      return peak;
    },
  };
}
