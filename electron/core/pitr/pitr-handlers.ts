/**
 * The `pitr` domain (shared/contract/pitr.ts): jobs saved here and run by the host's agent
 * (agent/agent-pitr.ts, every minute), the archive's windows read from the repository, and the
 * recovery of a cluster to a moment onto a target container (pitr-restore.ts), run from this
 * process against the target host's engine.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import { PitrStepReport, type PitrCluster, type PitrRef, type PitrRestoreResult, type PitrStatus } from '../../../shared/contract/pitr.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import type { BackendHandlers } from '../backend-types.js';
import type { HostsRepository } from '../config/hosts-repository.js';
import type { Engine } from '../docker/engine.js';
import { agentLines, agentQuery, agentSendLines } from '../agent/agent-exec.js';
import { AGENT_CONTAINER } from '../agent/agent-names.js';
import { unreachableByAgent } from '../agent/agent-manager.js';
import { createBackend, type BackendDeps, type RepositoriesStore, type RepositoryBackend } from '../repository/index.js';
import type { TrustedWriters } from '../signing/index.js';
import { protectedRefusal } from '../restore/planner.js';
import { z } from 'zod';
import { archivedClusters, readClusterArchive, windowsOf } from './archive-records.js';
import { asPitrOperation, type PitrOperationDeps } from './pitr-operation.js';
import { planPointInTime, pitrResultOf, runRecovery } from './pitr-restore.js';
import { PitrStore } from './pitr-store.js';

export interface PitrDeps {
  configDir: string;
  hosts: HostsRepository;
  engineFor: (hostId: string) => Promise<Engine>;
  repositories: RepositoriesStore;
  backendDeps: BackendDeps;
  trusted: TrustedWriters;
  /** Sends the host's plans and jobs to its agent; null when it has none running. */
  push: (hostId: string, ctx?: TaskContext) => Promise<unknown>;
  /** The recovery on the target host's agent; null when it has none (or it cannot reach the repository). */
  restoreOnAgent?: (hostId: string, repositoryId: string, req: { cluster: string; at: string; target: string; operationId: string; safetyImage?: string | undefined }, ctx: TaskContext) => Promise<PitrRestoreResult | null>;
  /** The image of the host's running agent (its GNU tar makes the swap's safety copy); null without one. */
  agentImage?: (hostId: string) => Promise<string | null>;
  /** Locks, journal, log and audit of a recovery (pitr-operation.ts), shared with the restores. */
  operations: Omit<PitrOperationDeps, 'configDir' | 'engineFor'>;
}

const StepLines = z.array(PitrStepReport.extend({ container: z.string() }));
const LastReports = z.array(PitrStepReport.extend({ container: z.string(), repositoryId: z.string() }));

export function pitrHandlers(d: PitrDeps): BackendHandlers['pitr'] {
  const store = new PitrStore(d.configDir);
  const withRepository = async <T>(repositoryId: string, fn: (b: RepositoryBackend) => Promise<T>): Promise<T> => {
    const backend = createBackend(await d.repositories.stored(repositoryId), await d.repositories.secrets(repositoryId), d.backendDeps);
    try {
      return await fn(backend);
    } finally {
      await backend.close().catch(() => undefined);
    }
  };
  /** The host's engine, with its agent running — or a refusal that says how to get one. */
  const agentEngine = async (hostId: string) => {
    const host = await d.hosts.stored(hostId);
    const engine = await d.engineFor(hostId);
    const running = await engine.docker
      .getContainer(AGENT_CONTAINER)
      .inspect()
      .then((i) => i.State.Running)
      .catch(() => false);
    if (!running) throw new RpcError('CONFLICT', `Point-in-time recovery is archived by the host's agent, and ${host.name} has none running: hindsight agent install ${host.name}.`);
    return { host, engine };
  };

  return {
    status: async ({ repositoryId }): Promise<PitrStatus> => {
      const jobs = (await store.list()).filter((j) => j.repositoryId === repositoryId);
      // The last step of each job, from its host's agent (unknown when it cannot be asked).
      const reports = new Map<string, z.infer<typeof LastReports>>();
      for (const hostId of new Set(jobs.map((j) => j.hostId))) {
        const r = await d
          .engineFor(hostId)
          .then((e) => agentQuery(e, ['pitr-status'], LastReports, 'Reading the point-in-time steps'))
          .catch(() => []);
        reports.set(hostId, r);
      }
      const clusters = await withRepository(repositoryId, async (b) => {
        const out: PitrCluster[] = [];
        for (const cluster of await archivedClusters(b)) {
          const a = await readClusterArchive(b, cluster, d.trusted);
          const newest = a.bases[0];
          const segments = [...a.segments.values()];
          out.push({
            cluster,
            hostId: newest?.sourceHost.id ?? '',
            hostName: newest?.sourceHost.name ?? '',
            container: newest?.container ?? '',
            serverVersion: newest?.serverVersion ?? '',
            bases: a.bases.length,
            segments: segments.length,
            storedBytes: a.bases.reduce((n, x) => n + x.object.storedBytes, 0) + segments.reduce((n, x) => n + x.object.storedBytes, 0),
            windows: windowsOf(a).map((w) => ({ baseId: w.baseId, from: w.from.toISOString(), to: w.to.toISOString() })),
            problems: a.problems,
          });
        }
        return out;
      });
      return { jobs: jobs.map((j) => ({ ...j, last: reports.get(j.hostId)?.find((r) => r.container === j.container && r.repositoryId === j.repositoryId) ?? null })), clusters };
    },

    enable: {
      title: ({ container }) => `Enable point-in-time recovery of ${container}`,
      run: async ({ hostId, container, repositoryId, baseEveryDays, keepBases }, ctx) => {
        const { host, engine } = await agentEngine(hostId);
        const repo = await d.repositories.stored(repositoryId);
        const why = unreachableByAgent(repo);
        if (why) throw new RpcError('INVALID_INPUT', `Repository ${repo.name} is ${why}: ${host.name}'s agent cannot archive into it. Use an S3 or SFTP repository.`);
        const ref: PitrRef = { hostId, container, repositoryId };
        await store.upsert(ref, { baseEveryDays, keepBases });
        try {
          await d.push(hostId, ctx);
          ctx.report({ type: 'progress', message: `First step on ${host.name}'s agent: replication slot, pg_receivewal, base backup`, fraction: null });
          const reports = StepLines.parse(await runStep(engine, container, ctx));
          const r = reports[0];
          if (!r) throw new RpcError('CONFLICT', `Another step of ${container}'s archive is running on ${host.name}; try again in a minute.`);
          if (r.result === 'failed') throw new RpcError('INTERNAL', `The first archiving step of ${container} failed on ${host.name}: ${r.error ?? 'no reason given'}`);
          return r;
        } catch (e) {
          // Nothing half-enabled: the job goes, and the agent forgets it (its slot, if made, is dropped).
          await store.remove(ref).catch(() => undefined);
          await d.push(hostId).catch(() => undefined);
          await agentSendLines(engine, ['pitr-stop'], { container, repositoryId }, `Stopping the archive of ${container}`).catch(() => undefined);
          throw e;
        }
      },
    },

    disable: {
      title: ({ container }) => `Disable point-in-time recovery of ${container}`,
      run: async ({ hostId, container, repositoryId }, ctx) => {
        const { host, engine } = await agentEngine(hostId);
        await store.remove({ hostId, container, repositoryId });
        await d.push(hostId, ctx);
        const r = z.object({ slotDropped: z.boolean() }).parse(await agentSendLines(engine, ['pitr-stop'], { container, repositoryId }, `Stopping the archive of ${container} on ${host.name}`, undefined, ctx.signal));
        return r;
      },
    },

    restore: {
      title: ({ at, target }) => `Recover ${target} to ${at}`,
      run: async (input, ctx) => {
        const host = await d.hosts.stored(input.targetHostId);
        const refusal = protectedRefusal(host, input.confirm);
        if (refusal) throw new RpcError('INVALID_INPUT', refusal, 'refused: protected host');
        const engine = await d.engineFor(input.targetHostId);
        return withRepository(input.repositoryId, async (backend) => {
          // The plan, always here: every refusal comes before a lock or a journal, and it names the targets.
          const plan = await planPointInTime({ engine, backend, trusted: d.trusted, cluster: input.cluster, at: new Date(input.at), target: input.target, signal: ctx.signal });
          if (input.dryRun) return pitrResultOf(plan);
          const safetyImage = (await d.agentImage?.(input.targetHostId).catch(() => null)) ?? undefined;
          const facts = { host: { id: host.id, name: host.name }, repositoryId: input.repositoryId, plan: pitrResultOf(plan), image: safetyImage ?? plan.target.image, sourceHostName: plan.base.sourceHost.name };
          return asPitrOperation({ ...d.operations, configDir: d.configDir, engineFor: d.engineFor }, facts, ctx, async (opId, octx) => {
            // Run by the target's agent when it has one (the data goes from the repository straight to
            // the host; the agent plans again from the records it checks itself), else with this plan.
            const onAgent = d.restoreOnAgent ? await d.restoreOnAgent(input.targetHostId, input.repositoryId, { cluster: input.cluster, at: input.at, target: input.target, operationId: opId, safetyImage }, octx) : null;
            return onAgent ?? runRecovery({ engine, backend, plan, opId, safetyImage, ctx: octx });
          });
        });
      },
    },
  };
}

/** One archiving step of `container`'s job on the host's agent, now; its reports. */
async function runStep(engine: Engine, container: string, ctx: TaskContext): Promise<unknown> {
  let result: unknown;
  await agentLines(engine, ['pitr-step', '--container', container], `Archiving ${container}`, (l) => ((l as { type?: string }).type === 'done' ? (result = (l as { result: unknown }).result) : undefined), ctx.signal);
  return result;
}
