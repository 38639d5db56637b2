/**
 * Node's Buffers live outside V8's heap. Before V8 14.8, V8 counted every byte allocated in them
 * since the last full collection, dead or alive, and started a mark-compact of the whole heap
 * every few tens of MiB of them — whatever the heap held. A stream moves gigabytes through short-
 * lived Buffers (socket chunks, SSH packets, zlib's output), so a 1 GiB restore ran ~31 of them
 * and the relay spent ~40 % of its CPU on them (docs/DECISIONS.md, "The agent's buffers count
 * in V8's heap limit"). `--external-memory-accounted-in-global-limit` counts what Buffers hold,
 * in the heap's own limit; V8 14.8 made that its only behaviour and removed the flag.
 *
 * The console's processes (Electron's main process, the web host, the CLI) run whatever V8 they
 * are given, so they ask for it at run time, only where the V8 still has the flag (a V8 that does
 * not know a flag prints an error for it). The agent's image pins its Node and passes the flag
 * on its command line by the same rule (scripts/build-agent.sh).
 */
import { setFlagsFromString } from 'node:v8';

export const BUFFER_ACCOUNTING_FLAG = '--external-memory-accounted-in-global-limit';

/**
 * Whether V8 `version` ("13.6.233.10-node.27") has the flag and needs it: from 13 (Node 24's
 * 13.6 has it; it came in 2024, and Node 20's 11.3 refuses it) to before 14.8. Older V8s are
 * older than any runtime Hindsight supports: left as they are, rather than told a flag they may
 * not know.
 */
export function needsBufferAccountingFlag(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
  return major === 13 || (major === 14 && minor < 8);
}

let asked = false;

/**
 * Makes this process's V8 count Buffers in its heap limit (once; a no-op on V8 ≥ 14.8, where it
 * always does). Returns whether it set the flag. V8 reads the flag at each allocation-limit check,
 * so it takes effect from the next collection on, even in a process already running.
 */
export function countBuffersInHeapLimit(version = process.versions.v8): boolean {
  // Already on the command line (the agent's image): nothing to change at run time.
  if (asked || !needsBufferAccountingFlag(version) || process.execArgv.includes(BUFFER_ACCOUNTING_FLAG)) return false;
  asked = true;
  setFlagsFromString(BUFFER_ACCOUNTING_FLAG);
  return true;
}
