/**
 * The agent's warm worker (electron/agent/warm-worker.ts) in the built image on a lab machine: the
 * scheduler keeps one worker waiting; a `docker exec` of `hindsight-agent <command>` is taken by it
 * (the worker's process ends with the command and the next one waits), with stdin, stdout, stderr
 * and the exit code as from a process of its own; with no worker the command runs in its own
 * process; a client killed in the middle leaves no worker behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dockerCli, waitFor } from '../testing/lab.js';
import { agentSend } from './agent-exec.js';
import { AGENT_COMMAND, AGENT_CONTAINER } from './agent-names.js';
import { agentTestBed, type AgentTestBed } from './testing/lab-agent.js';
import { WARM_SOCKET } from '../../agent/warm-names.js';

let bed: AgentTestBed;

/** The container's processes: pid → command line. */
async function processes(): Promise<Map<number, string>> {
  const out = await dockerCli(bed.t.lab.machines.uat, 'exec', AGENT_CONTAINER, 'sh', '-c', 'for p in /proc/[0-9]*; do printf "%s " "${p#/proc/}"; tr "\\0" " " < "$p/cmdline" 2>/dev/null; echo; done');
  const map = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^(\d+) (.*)$/.exec(line.trim());
    if (m && m[2]) map.set(Number(m[1]), m[2]);
  }
  return map;
}
const workers = async () => [...(await processes())].filter(([, cmd]) => cmd.includes('--warm-worker')).map(([pid]) => pid);
/** The one worker, listening (its socket is there until it takes a command). */
async function waitingWorker(not?: number): Promise<number> {
  let pid = 0;
  await waitFor('a warm worker', async () => {
    const w = (await workers()).filter((p) => p !== not);
    pid = w[0] ?? 0;
    return w.length === 1 && (await exec('sh', '-c', `test -S ${WARM_SOCKET} && echo listening || true`)).trim() === 'listening';
  });
  return pid;
}
const exec = (...args: string[]) => dockerCli(bed.t.lab.machines.uat, 'exec', AGENT_CONTAINER, ...args);

beforeAll(async () => {
  bed = await agentTestBed('agent-warm');
  await bed.manager.install(bed.t.ids.uat, bed.ctx());
}, 240_000);

afterAll(async () => {
  await bed?.dispose();
});

describe("the agent's warm worker", () => {
  it('takes a command: its answer comes back, its process ends with it, the next worker waits', async () => {
    const first = await waitingWorker();
    const status = JSON.parse(await exec(AGENT_COMMAND, 'status', '--json')) as { version: string; daemon: { alive: boolean } };
    expect(status.version).toBe((await bed.manager.status(bed.t.ids.uat)).version);
    expect(status.daemon.alive).toBe(true);
    const second = await waitingWorker(first);
    expect(second).not.toBe(first);
    expect((await processes()).has(first)).toBe(false);
  }, 60_000);

  it('passes stdin and the error of a refused request, with exit code 1', async () => {
    const waiting = await waitingWorker();
    const engine = await bed.t.engine(bed.t.ids.uat);
    await expect(agentSend(engine, ['apply'], { nonsense: true }, z.unknown(), 'apply')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('refused') });
    // It was the worker that answered: it is gone, another waits.
    expect(await waitingWorker(waiting)).not.toBe(waiting);
  }, 60_000);

  it('with no worker waiting the command runs in its own process', async () => {
    const waiting = await waitingWorker();
    await exec('sh', '-c', `kill ${waiting}`);
    const a = JSON.parse(await exec(AGENT_COMMAND, 'status', '--json')) as { version: string };
    expect(a.version).toBeTruthy();
    const b = JSON.parse(await exec('env', 'HINDSIGHT_NO_WARM_WORKER=1', AGENT_COMMAND, 'status', '--json')) as { version: string };
    expect(b.version).toBe(a.version);
    await waitingWorker();
  }, 60_000);

  it('a client killed while its command runs leaves no worker behind', async () => {
    const waiting = await waitingWorker();
    // restore-source waits for its request on stdin, held open by a FIFO; the client is killed
    // with TERM (as the console cancels) in one case and KILL in the other — each taken by a
    // worker — and with TERM once more with no worker (the command in the client's own process).
    for (const [sig, env] of [['TERM', ''], ['KILL', ''], ['TERM', 'HINDSIGHT_NO_WARM_WORKER=1']] as const) {
      if (!env) await waitingWorker();
      const out = await exec(
        'sh',
        '-c',
        `rm -f /tmp/f; mkfifo /tmp/f; (${env} ${AGENT_COMMAND} restore-source --json < /tmp/f > /tmp/out 2> /tmp/err; echo "$?" > /tmp/code) & exec 3> /tmp/f; sleep 1; ` +
          `c=$(for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f" | grep -q '^/usr/local/bin/node .*client.cjs restore-source' && { p=\${f#/proc/}; echo "\${p%/cmdline}"; }; done | head -1); ` +
          `kill -${sig} "$c"; wait; exec 3>&-; cat /tmp/code; tail -n 1 /tmp/err`,
      );
      const [code, err] = out.split('\n');
      // TERM: the command's own cancel, said as with --json; KILL: the client's death (128 + 9).
      if (sig === 'TERM') expect([Number(code), JSON.parse(err ?? '')]).toEqual([1, { error: expect.objectContaining({ code: 'CANCELLED' }) }]);
      else expect(Number(code)).toBe(137);
    }
    await waitFor('the workers that took them to end', async () => (await workers()).filter((p) => p !== waiting).length <= 1 && !(await workers()).includes(waiting));
    const left = [...(await processes()).values()].filter((cmd) => cmd.includes('restore-source'));
    expect(left).toEqual([]);
  }, 90_000);
});
