/**
 * The agent's command line, run inside its container (`hindsight-agent <command>`):
 *   serve                 the scheduler (the container's main process)
 *   status --json         version, key, scheduler, plans with their last and next runs
 *   apply --json          a configuration from the console on stdin (agent-config.ts)
 *   run <plan> --json     run a plan now: progress as JSON lines, then {"type":"done",result}
 *   restore-source --json one source's data into its target here (direct-restore.ts), same output
 *   backup-source --json  one source of a console's backup copied from here (direct-backup.ts)
 *   safety-copy --json    a database's or directory's safety copy, kept here (safety-here.ts)
 *   put-back --json       a rollback from such a copy; discard-safety --json: an operation's copies removed
 *   pitr-step [--container C] --json   one archiving step of the point-in-time jobs now (agent-pitr.ts)
 *   pitr-status --json    the last step of each job; pitr-stop --json: a job's receiver and slot gone (request on stdin)
 *   pitr-restore --json   a point-in-time recovery onto a container here (request on stdin)
 * With --json a failure ends with one line {"error":{code,message}} on stderr (agent-exec.ts reads
 * it back) and exit code 1.
 */
import fsp from 'node:fs/promises';
import { Command } from 'commander';
import { z } from 'zod';
import { RpcError } from '../../../shared/contract/errors.js';
import { createBackend } from '../backend.js';
import type { Backend } from '../backend-types.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import { PlansStore } from '../plans/plans-store.js';
import { AgentConfig, writeAgentConfig } from './agent-config.js';
import { DirectBackupRequest, backupSourceHere } from './direct-backup.js';
import { DirectRestoreRequest, prepareRestoreHere, restoreSourceHere } from './direct-restore.js';
import { inputLines, inputText } from './input-lines.js';
import { abortable } from '../sources/errors.js';
import type { PipelineProgress } from '../pipeline/index.js';
import { agentReport, runAndRecord, runDaemon } from './agent-daemon.js';
import { agentPipes } from './agent-pipes.js';
import { discardHere, putBackHere, safetyCopyHere } from './safety-here.js';
import { PitrRestoreRequest, pitrReportsHere, pitrRestoreHere, pitrStepHere, pitrStopHere } from './agent-pitr.js';

const PitrStopRequest = z.object({ container: z.string().min(1).max(255), repositoryId: z.string().min(1).max(128) });
import { AgentDiscardRequest, AgentPutBackRequest, AgentSafetyCopyRequest } from './safety-requests.js';

/** JSON text checked against `schema`; INVALID_INPUT in words otherwise. */
function parseInput<T extends z.ZodType>(schema: T, text: string, what: string): z.output<T> {
  try {
    return schema.parse(JSON.parse(text));
  } catch (e) {
    throw new RpcError('INVALID_INPUT', `The ${what} was refused: ${e instanceof z.ZodError ? z.prettifyError(e) : 'not JSON'}`);
  }
}

export interface AgentCliEnv {
  stateDir: string;
  version: string;
  /** Stdin, read whole or a line at a time (input-lines.ts). */
  stdinStream: () => AsyncIterable<Buffer>;
  out: (line: string) => void;
  err: (line: string) => void;
  /** What the entry keeps going beside the scheduler (its warm worker); returns how to stop it. */
  whileServing?: () => () => void;
}

const openBackend = (stateDir: string): Promise<Backend> =>
  createBackend({ configDir: stateDir, agentMode: true, seedLocalHost: false, userKnownHostsPath: null, agentSocket: undefined, runner: process.env.HINDSIGHT_WRITER || 'agent', helperPipes: agentPipes() });

export async function runAgentCli(argv: string[], env: AgentCliEnv): Promise<number> {
  let code = 0;
  const fail = (e: unknown, json: boolean) => {
    const error = RpcError.is(e) ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
    env.err(json ? JSON.stringify({ error }) : `hindsight-agent: ${error.message}`);
    code = 1;
  };
  const program = new Command('hindsight-agent').exitOverride().configureOutput({ writeOut: (s) => env.out(s.trimEnd()), writeErr: (s) => env.err(s.trimEnd()) });
  program.version(env.version);

  program
    .command('serve')
    .description('run the plans on their schedules (the container does this)')
    .action(async () => {
      const backend = await openBackend(env.stateDir);
      const stopBeside = env.whileServing?.();
      try {
        await runDaemon({ stateDir: env.stateDir, backend });
      } finally {
        stopBeside?.();
        await backend.dispose();
      }
      // Stopped on a signal: exit now (an idle SSH pool or watcher must not hold the container
      // until docker's stop timeout kills it).
      process.exit(0);
    });

  program
    .command('status')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      try {
        const r = await agentReport(env.stateDir, env.version);
        if (o.json) return env.out(JSON.stringify(r));
        env.out(`hindsight-agent ${r.version}; scheduler ${r.daemon.alive ? `running (pid ${r.daemon.pid})` : 'not running'}; key ${r.keyId}`);
        for (const p of r.plans) env.out(`  ${p.name}${p.paused ? ' (paused)' : ''}${p.running ? ' (running)' : ''}: next ${p.nextRun ?? '—'}, last ${p.lastAttempt ? `${p.lastAttempt.result} ${p.lastAttempt.at}` : '—'}`);
      } catch (e) {
        fail(e, !!o.json);
      }
    });

  program
    .command('apply')
    .description('store a configuration sent by the console (JSON on stdin)')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      try {
        const c = await applyInput();
        env.out(JSON.stringify({ plans: c.plans.length, repositories: c.repositories.length }));
      } catch (e) {
        fail(e, !!o.json);
      }
    });

  /**
   * A long command on a backend of its own: cancelled by SIGTERM (a console cancelling its exec),
   * progress as JSON lines, then {"type":"done",result} — or the error line (fail).
   */
  const longRun = async <R>(json: boolean, what: string, work: (backend: Backend, ctx: TaskContext) => Promise<R>, done: (r: R) => string) => {
    const backend = await openBackend(env.stateDir);
    const controller = new AbortController();
    const onSignal = () => controller.abort(new RpcError('CANCELLED', `The ${what} was cancelled.`));
    process.once('SIGTERM', onSignal);
    try {
      const result = await work(backend, {
        signal: controller.signal,
        report: (e) => {
          if (!json) return;
          if (e.type === 'progress') env.out(JSON.stringify({ type: 'progress', message: e.message, fraction: e.fraction, ...(e.bytesDone !== undefined ? { bytesDone: e.bytesDone } : {}), ...(e.bytesTotal !== undefined ? { bytesTotal: e.bytesTotal } : {}), ...(e.step !== undefined ? { step: e.step } : {}) }));
          else env.out(JSON.stringify({ type: 'log', level: e.level, message: e.message }));
        },
      });
      env.out(json ? JSON.stringify({ type: 'done', result }) : done(result));
    } catch (e) {
      fail(e, json);
    } finally {
      process.off('SIGTERM', onSignal);
      await backend.dispose();
    }
  };
  /** JSON from stdin, validated; INVALID_INPUT in words otherwise. */
  const readInput = async <T extends z.ZodType>(schema: T, what: string): Promise<z.output<T>> => parseInput(schema, await inputText(env.stdinStream()), what);
  /** A configuration from the console on stdin, stored (`apply`, and `run --apply`). */
  const applyInput = async () => writeAgentConfig(env.stateDir, await readInput(AgentConfig, 'configuration'));

  program
    .command('run <plan>')
    .description('run a plan now (with --drill: its restore drill, on this host)')
    .option('--drill', "verify the plan's newest snapshot here instead of backing up")
    .option('--apply', 'store the configuration on stdin first, as `apply` does (one exec instead of two)')
    .option('--json', 'JSON lines output')
    .action(async (name: string, o: { json?: boolean; drill?: boolean; apply?: boolean }) => {
      if (o.apply) {
        try {
          await applyInput();
        } catch (e) {
          return fail(e, !!o.json);
        }
      }
      return longRun(
        !!o.json,
        'run',
        async (backend, ctx) => runAndRecord(backend, env.stateDir, await new PlansStore(env.stateDir).get(name), { trigger: 'manual', attempt: 1, drill: !!o.drill }, ctx.signal, (message, fraction) => ctx.report({ type: 'progress', message, fraction })),
        (r) => `snapshot ${r.snapshotId}`,
      );
    });

  program
    .command('restore-source')
    .description("restore one source of a snapshot into its target on this host (a request on stdin, from a console's restore: the direct data path)")
    .option('--json', 'JSON lines output')
    .action(async (o: { json?: boolean }) =>
      longRun(
        !!o.json,
        'restore',
        async (_backend, ctx) => {
          const onProgress = (p: PipelineProgress) => ctx.report({ type: 'progress', message: 'restoring', fraction: p.fraction, bytesDone: p.bytesDone, ...(p.bytesTotal !== undefined ? { bytesTotal: p.bytesTotal } : {}) });
          const input = inputLines(env.stdinStream());
          // SIGTERM (the console cancelling its exec) ends the wait for a line as well.
          const first = await abortable(input.next(), ctx.signal, 'restore');
          const request = parseInput(DirectRestoreRequest, first?.text ?? '', 'restore request');
          // All of stdin, no newline: a console that sends the request when it restores.
          if (!first?.terminated) return restoreSourceHere(env.stateDir, request, ctx.signal, onProgress);
          // Sent ahead (direct-restore.ts): made ready, then begun on an empty line — anything else calls it off.
          // First the Docker data root's free space, for the console's pre-flight: its state
          // volume is there (no probe container needed for a restore onto a new volume).
          if (o.json) {
            const free = await dataRootFree(env.stateDir);
            if (free !== undefined) env.out(JSON.stringify({ type: 'space', availableBytes: free }));
          }
          const prepared = await prepareRestoreHere(env.stateDir, request, ctx.signal);
          const go = await abortable(input.next(), ctx.signal, 'restore').catch(() => null);
          if (go?.terminated !== true || go.text.trim() !== '') {
            await prepared.abandon();
            throw new RpcError('CANCELLED', 'The restore was called off before it began: nothing on this host was changed.');
          }
          return prepared.run(onProgress);
        },
        (r) => `restored ${r.rawBytes} bytes`,
      ),
    );

  program
    .command('backup-source')
    .description("copy one source of a console's backup from this host to the repository (a request on stdin: the direct data path)")
    .option('--json', 'JSON lines output')
    .action(async (o: { json?: boolean }) =>
      longRun(!!o.json, 'backup', async (_backend, ctx) => backupSourceHere(env.stateDir, await readInput(DirectBackupRequest, 'backup request'), ctx), (r) => `copied ${r.source.rawBytes} bytes`),
    );

  // Safety copies kept on this host (safety-requests.ts): requests on stdin, answers as for restore-source.
  program
    .command('safety-copy')
    .description("keep a safety copy of a database or directory here, for a console's restore (a request on stdin)")
    .option('--json', 'JSON lines output')
    .action(async (o: { json?: boolean }) =>
      longRun(!!o.json, 'safety copy', async (_b, ctx) => safetyCopyHere(env.stateDir, await readInput(AgentSafetyCopyRequest, 'safety copy request'), ctx.signal), (r) => `kept ${r.file ?? 'nothing'}`),
    );
  program
    .command('put-back')
    .description('put a target back from a safety copy kept here (a rollback; a request on stdin)')
    .option('--json', 'JSON lines output')
    .action(async (o: { json?: boolean }) => longRun(!!o.json, 'put back', async () => putBackHere(env.stateDir, await readInput(AgentPutBackRequest, 'put-back request')), (r) => r.action));
  program
    .command('discard-safety')
    .description("remove an operation's safety copies kept here (a request on stdin)")
    .option('--json', 'JSON lines output')
    .action(async (o: { json?: boolean }) => longRun(!!o.json, 'removal', async () => discardHere(env.stateDir, await readInput(AgentDiscardRequest, 'removal request')), (r) => `removed ${r.removed.length} file(s)`));

  // Point-in-time recovery (agent-pitr.ts).
  program
    .command('pitr-step')
    .description('run one archiving step of the point-in-time jobs now (slot, pg_receivewal, segments, base backup when due)')
    .option('--container <name>', 'only the job of this container')
    .option('--json', 'JSON lines output')
    .action(async (o: { json?: boolean; container?: string }) =>
      longRun(!!o.json, 'archiving step', async (_b, ctx) => pitrStepHere(env.stateDir, { ...(o.container ? { container: o.container } : {}), waitMs: 120_000, signal: ctx.signal }), (r) => r.map((x) => `${x.container}: ${x.result}${x.error ? ` (${x.error})` : ''}`).join('\n')),
    );
  program
    .command('pitr-status')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      try {
        env.out(JSON.stringify(await pitrReportsHere(env.stateDir)));
      } catch (e) {
        fail(e, !!o.json);
      }
    });
  program
    .command('pitr-restore')
    .description("recover a PostgreSQL cluster to a moment onto a container of this host (a console's request on stdin)")
    .option('--json', 'JSON lines output')
    .action(async (o: { json?: boolean }) => longRun(!!o.json, 'recovery', async (_b, ctx) => pitrRestoreHere(env.stateDir, await readInput(PitrRestoreRequest, 'recovery request'), ctx), (r) => `recovered ${r.target} to ${r.at}`));
  program
    .command('pitr-stop')
    .description('stop archiving a container: its receiver stopped, its replication slot dropped (a request on stdin)')
    .option('--json', 'JSON lines output')
    .action(async (o: { json?: boolean }) => longRun(!!o.json, 'stop', async () => pitrStopHere(env.stateDir, await readInput(PitrStopRequest, 'stop request')), (r) => (r.slotDropped ? 'slot dropped' : 'no slot')));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    const c = (e as { exitCode?: number }).exitCode;
    return typeof c === 'number' ? c : 1;
  }
  return code;
}

/** Bytes free on the filesystem of the agent's state volume — the Docker data root's; undefined when it cannot be told. */
async function dataRootFree(stateDir: string): Promise<number | undefined> {
  try {
    const st = await fsp.statfs(stateDir);
    return st.bavail * st.bsize;
  } catch {
    return undefined;
  }
}
