/**
 * The console's side of the agent: its install, upgrade, remove and status (agent-lifecycle.ts),
 * the host's plans pushed to it, and the work handed to it — a plan run, a source backed up or
 * restored on its host, a point-in-time restore — through that host's engine (the SSH → Docker
 * tunnel) as `docker exec` of its CLI (agent-exec.ts).
 */
import fs from 'node:fs/promises';
import type { RepositoryConfig } from '../../../shared/contract/repositories.js';
import { configFiles, expandHome, userKnownHostsPath } from '../config/paths.js';
import { formatKnownHostsLine, hostPatternFor } from '../ssh/known-hosts.js';
import { KnownHostsStore } from '../ssh/known-hosts-store.js';
import { RpcError } from '../../../shared/contract/errors.js';
import type { AgentStatus } from '../../../shared/contract/agent.js';
import type { Plan } from '../../../shared/contract/plans.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import type { PlanRunResult } from '../plans/run-plan.js';
import type { HostsRepository } from '../config/hosts-repository.js';
import type { Engine } from '../docker/engine.js';
import { PlansStore } from '../plans/plans-store.js';
import { PitrStore } from '../pitr/pitr-store.js';
import type { RepositoriesStore } from '../repository/index.js';
import type { TrustedWriters } from '../signing/index.js';
import { agentSend, agentSendLines, startAgentSendLines } from './agent-exec.js';
import { DirectBackupRequest } from './direct-backup.js';
import { DirectRestoreRequest } from './direct-restore.js';
import { PitrRestoreRequest } from './agent-pitr.js';
import { PitrRestoreResult } from '../../../shared/contract/pitr.js';
import type { DirectSourceBackup } from '../backup/run-backup.js';
import type { ManifestSource } from '../../../shared/contract/snapshots.js';
import type { PipelineProgress } from '../pipeline/index.js';
import type { RestoreOneResult } from '../restore/data-moves.js';
import type { DirectSourceRequest, DirectStarted } from '../restore/runner.js';
import type { AgentConfig } from './agent-config.js';
import { bundledAgentImage, type AgentImageInfo } from './agent-image.js';
import { AGENT_RESTORE_AHEAD_LABEL } from './agent-names.js';
import { agentStatus, inspectAgent, installAgent, removeAgent, type AgentLifecycleDeps } from './agent-lifecycle.js';
import { z } from 'zod';

export interface AgentManagerDeps {
  configDir: string;
  hosts: HostsRepository;
  engineFor: (hostId: string) => Promise<Engine>;
  repositories: RepositoriesStore;
  trusted: TrustedWriters;
  image?: () => AgentImageInfo | null;
}

/** What the agent needs to encrypt as the set says: recipients or the passphrase, never identities. */
function forAgent(e: DirectSourceBackup['encryption']): z.input<typeof DirectBackupRequest>['encryption'] {
  switch (e.kind) {
    case 'none':
      return { kind: 'none', spec: { kind: 'none' } };
    case 'age-recipients':
      if (e.spec.kind !== 'recipients' || !e.spec.recipients?.length) throw new RpcError('INVALID_INPUT', 'An age-recipients set without recipients cannot be encrypted.');
      return { kind: 'age-recipients', spec: { kind: 'recipients', recipients: e.spec.recipients } };
    case 'age-passphrase':
      if (e.spec.kind !== 'passphrase') throw new RpcError('INVALID_INPUT', 'An age-passphrase set without its passphrase cannot be encrypted.');
      return { kind: 'age-passphrase', spec: { kind: 'passphrase', passphrase: e.spec.passphrase, ...(e.spec.workFactor !== undefined ? { workFactor: e.spec.workFactor } : {}) } };
  }
}

/** Why the agent cannot use a repository of this console (null: it can — S3, SFTP with a key). */
export function unreachableByAgent(config: RepositoryConfig): string | null {
  if (config.kind === 'local') return 'a folder on this computer';
  if (config.kind === 'sftp' && config.auth.type === 'agent') return "an SFTP login through this computer's ssh-agent";
  return null;
}

export class AgentManager {
  private readonly plans: PlansStore;

  constructor(private readonly d: AgentManagerDeps) {
    this.plans = new PlansStore(d.configDir);
  }

  private image(): AgentImageInfo | null {
    return (this.d.image ?? bundledAgentImage)();
  }

  private lifecycle(): AgentLifecycleDeps {
    return { ...this.d, image: () => this.image(), push: (hostId, ctx) => this.push(hostId, ctx) };
  }

  status(hostId: string, signal?: AbortSignal): Promise<AgentStatus> {
    return agentStatus(this.lifecycle(), hostId, signal);
  }

  install(hostId: string, ctx?: TaskContext): Promise<AgentStatus> {
    return installAgent(this.lifecycle(), hostId, ctx);
  }

  remove(hostId: string, purge: boolean, ctx?: TaskContext): Promise<{ removed: boolean; stateRemoved: boolean }> {
    return removeAgent(this.lifecycle(), hostId, purge, ctx);
  }


  /** Pushes the host's plans (and what they need) to its agent; a no-op without an agent. */
  async push(hostId: string, ctx?: TaskContext): Promise<{ plans: number; skipped: string[] } | null> {
    const engine = await this.d.engineFor(hostId);
    const info = await inspectAgent(engine);
    if (!info?.State.Running) return null;
    const config = await this.configFor(hostId);
    for (const s of config.skipped) ctx?.report({ type: 'log', level: 'warn', message: s, ts: new Date().toISOString() });
    await agentSend(engine, ['apply'], config.payload, z.object({ plans: z.number() }), `Sending plans to the agent on ${engine.name}`);
    return { plans: config.payload.plans.length, skipped: config.skipped };
  }

  private async configFor(hostId: string): Promise<{ payload: AgentConfig; skipped: string[] }> {
    const host = await this.d.hosts.stored(hostId);
    const skipped: string[] = [];
    const repositories = new Map<string, AgentConfig['repositories'][number]>();
    const plans = [];
    // Its own plans (backups) and the plans whose restore drill runs here.
    for (const plan of (await this.plans.list()).filter((p) => p.hostId === hostId || p.drill?.hostId === hostId)) {
      const config = await this.d.repositories.stored(plan.repositoryId).catch(() => null);
      if (!config) {
        skipped.push(`Plan ${plan.name}: its repository no longer exists; the agent does not run it.`);
        continue;
      }
      // A folder of the console's machine, or its ssh-agent, means nothing on the host.
      const why = unreachableByAgent(config);
      if (why) {
        skipped.push(`Plan ${plan.name}: its repository ${config.name} is ${why}; the agent cannot reach it, so this plan runs only from the console.`);
        continue;
      }
      if (!repositories.has(config.id)) {
        try {
          repositories.set(config.id, await this.repositoryForAgent(config));
        } catch (e) {
          skipped.push(`Plan ${plan.name}: ${e instanceof Error ? e.message : String(e)} The agent does not run it until then.`);
          continue;
        }
      }
      plans.push(plan);
    }
    // Its point-in-time jobs (pitr/), with their repositories, under the same rules as plans.
    const pitr = [];
    for (const job of (await new PitrStore(this.d.configDir).list()).filter((j) => j.hostId === hostId)) {
      const config = await this.d.repositories.stored(job.repositoryId).catch(() => null);
      const why = config ? unreachableByAgent(config) : 'gone';
      if (!config || why) {
        skipped.push(`Point-in-time recovery of ${job.container}: its repository is ${why ?? 'gone'}; the agent cannot archive into it.`);
        continue;
      }
      if (!repositories.has(config.id)) repositories.set(config.id, await this.repositoryForAgent(config));
      pitr.push(job);
    }
    return {
      payload: {
        version: 1,
        host: { id: host.id, name: host.name, role: host.role, protected: host.protected },
        repositories: [...repositories.values()],
        plans,
        trusted: await this.d.trusted.list(),
        pitr,
      },
      skipped,
    };
  }

  /**
   * Runs a plan on its host's agent — the direct data path: the host streams straight to the
   * repository, this console only shows the progress. null when the host has no running agent or
   * the agent cannot reach its repository (unreachableByAgent): the console then runs it itself.
   */
  async runPlan(plan: Plan, ctx: TaskContext): Promise<PlanRunResult | null> {
    const engine = await this.d.engineFor(plan.hostId);
    if (!(await inspectAgent(engine))?.State.Running) return null;
    if (unreachableByAgent(await this.d.repositories.stored(plan.repositoryId))) return null;
    // The agent runs the plan as saved now: the configuration goes with the run (one exec, not a push and a run).
    const config = await this.configFor(plan.hostId);
    const result = (await agentSendLines(
      engine,
      ['run', plan.id, '--apply'],
      config.payload,
      `Running plan ${plan.name} on ${engine.name}'s agent`,
      (line) => {
        const l = line as { type?: string; message?: string; fraction?: number | null };
        if (l.type === 'progress' && l.message) ctx.report({ type: 'progress', message: `${l.message} (on ${engine.name}'s agent)`, fraction: l.fraction ?? null });
      },
      ctx.signal,
    )) as PlanRunResult | undefined;
    if (!result) throw new RpcError('INTERNAL', `The agent on ${engine.name} ended the run of ${plan.name} without a result.`);
    return result;
  }

  /** A repository as the agent needs it: secrets, and for SFTP the key itself and the server's pinned host key. */
  private async repositoryForAgent(config: RepositoryConfig): Promise<AgentConfig['repositories'][number]> {
    const secrets = await this.d.repositories.secrets(config.id);
    if (config.kind !== 'sftp' || config.auth.type !== 'key') return { config, secrets };
    const keyPath = config.auth.keyPath;
    const sshKey = await fs.readFile(expandHome(keyPath), 'utf8').catch((e: unknown) => {
      throw new RpcError('KEY_UNREADABLE', `The key of repository ${config.name} (${keyPath}) cannot be read: ${(e as Error).message}`);
    });
    const pattern = hostPatternFor(config.address, config.port);
    const view = await new KnownHostsStore(configFiles(this.d.configDir).knownHosts, userKnownHostsPath()).viewFor(pattern);
    const knownHosts = view.entries.filter((e) => !e.marker).map((e) => formatKnownHostsLine(pattern, e.keyType, e.key));
    if (!knownHosts.length) throw new RpcError('HOSTKEY_UNKNOWN', `Repository ${config.name}: the host key of ${pattern} is not trusted yet; check the repository once (Repositories screen) to trust it.`);
    return { config, secrets, sshKey, knownHosts };
  }

  /**
   * The host's running agent and the repository as it is sent to it, when the direct path applies:
   * a repository the agent can reach (S3; SFTP with a key, which is sent with the host keys this
   * console pinned — not a folder of this computer, nor a login through its ssh-agent).
   */
  private async directTarget(hostId: string, repositoryId: string) {
    const engine = await this.d.engineFor(hostId);
    const info = await inspectAgent(engine);
    if (!info?.State.Running) return null;
    const config = await this.d.repositories.stored(repositoryId);
    if (unreachableByAgent(config)) return null;
    const ahead = Number(info.Config.Labels?.[AGENT_RESTORE_AHEAD_LABEL] ?? 0);
    return { engine, repository: await this.repositoryForAgent(config), takesRequestAhead: ahead >= 1, saysDataRootFree: ahead >= 2 };
  }

  /** The image of the host's running agent (its GNU tar keeps safety copies on the host); null without one. */
  async safetyImage(hostId: string): Promise<string | null> {
    const info = await inspectAgent(await this.d.engineFor(hostId));
    return info?.State.Running ? info.Image : null;
  }

  /**
   * One source of a console's backup copied by the host's agent (direct-backup.ts); null when the
   * host has no running agent or the repository is not one it can reach (the console then copies it itself).
   */
  async backupSource(hostId: string, repositoryId: string, req: DirectSourceBackup, report: TaskContext['report'], signal: AbortSignal): Promise<{ source: ManifestSource; indexBytes?: number } | null> {
    const direct = await this.directTarget(hostId, repositoryId);
    if (!direct) return null;
    const { engine, repository } = direct;
    const host = await this.d.hosts.stored(hostId);
    const request: z.input<typeof DirectBackupRequest> = { ...req, encryption: forAgent(req.encryption), host: { id: host.id, name: host.name }, repository };
    const result = await agentSendLines(
      engine,
      ['backup-source'],
      request,
      `Copying ${req.name} on ${engine.name} through its agent`,
      (line) => {
        const l = line as { type?: string; message?: string; fraction?: number | null; bytesDone?: number; bytesTotal?: number; level?: 'info' | 'warn' | 'error' };
        if (l.type === 'progress' && l.message)
          report({ type: 'progress', fraction: l.fraction ?? null, message: l.message, ...(l.bytesDone !== undefined ? { bytesDone: l.bytesDone } : {}), ...(l.bytesTotal !== undefined ? { bytesTotal: l.bytesTotal } : {}), step: 'copy', source: req.name });
        if (l.type === 'log' && l.message) report({ type: 'log', level: l.level ?? 'info', message: `${l.message} (agent on ${engine.name})`, ts: new Date().toISOString() });
      },
      signal,
    );
    return result as { source: ManifestSource; indexBytes?: number };
  }

  /**
   * One source of a restore moved by the target host's agent (direct-restore.ts); null when the
   * host has no running agent or the repository is not one the agent can reach (see directTarget).
   */
  async restoreSource(hostId: string, req: DirectSourceRequest, signal: AbortSignal | undefined, onProgress: (p: PipelineProgress) => void): Promise<RestoreOneResult | null> {
    const started = await this.startRestoreSource(hostId, req, signal, false);
    return started ? started.run(req, onProgress) : null;
  }

  /**
   * restoreSource with the agent's CLI started now and run later (`run`): the runner starts the
   * first source's when its run begins. An agent that takes the request ahead gets it now, checks
   * the manifest and starts reading the data while the pre-flight runs (direct-restore.ts); an
   * older one gets it at `run`. null: no agent can (see directTarget).
   */
  async startRestoreSource(hostId: string, req: DirectSourceRequest, signal: AbortSignal | undefined, ahead = true): Promise<DirectStarted | null> {
    const direct = await this.directTarget(hostId, req.repositoryId);
    if (!direct) return null;
    const { engine, repository } = direct;
    const what = `Restoring ${req.source} on ${engine.name} through its agent`;
    // The writers this console trusts go with the request: the agent checks the manifest against them.
    const requestOf = async (r: DirectSourceRequest): Promise<z.input<typeof DirectRestoreRequest>> => ({ ...r, repository, directory: r.directory ?? undefined, trusted: await this.d.trusted.list() });
    const relay = (onProgress: (p: PipelineProgress) => void) => (line: unknown) => {
      const l = line as { type?: string; fraction?: number | null; bytesDone?: number; bytesTotal?: number };
      if (l.type === 'progress') onProgress({ fraction: l.fraction ?? null, bytesDone: l.bytesDone ?? 0, ...(l.bytesTotal !== undefined ? { bytesTotal: l.bytesTotal } : {}) } as PipelineProgress);
    };
    if (ahead && direct.takesRequestAhead) {
      // The data root's free space, the first thing such an agent says (agent-cli.ts): the
      // pre-flight's figure for new volumes, without a probe container.
      let said: (free: number | undefined) => void = () => {};
      const free = new Promise<number | undefined>((resolve) => (said = resolve));
      if (!direct.saysDataRootFree) said(undefined);
      const started = startAgentSendLines(engine, ['restore-source'], what, signal, await requestOf(req), (line) => {
        const l = line as { type?: string; availableBytes?: unknown };
        if (l.type === 'space') said(typeof l.availableBytes === 'number' && Number.isFinite(l.availableBytes) && l.availableBytes >= 0 ? l.availableBytes : undefined);
      });
      // An agent that ends (or fails) before saying it: the pre-flight measures as without one.
      void started.ended.finally(() => said(undefined));
      return {
        dataRootFree: () => free,
        run: async (r, onProgress) => {
          if (JSON.stringify(r) === JSON.stringify(req)) return (await started.go(relay(onProgress))) as RestoreOneResult;
          // Not the request it was started with (the runner builds the same one): a new exec for this one.
          started.cancel();
          const again = await this.restoreSource(hostId, r, signal, onProgress);
          if (!again) throw new RpcError('CONFLICT', `${engine.name}'s agent stopped during the restore.`);
          return again;
        },
        cancel: () => started.cancel(),
      };
    }
    const started = startAgentSendLines(engine, ['restore-source'], what, signal);
    return {
      run: async (r, onProgress) => {
        const request = await requestOf(r).catch((e: unknown) => {
          started.cancel();
          throw e;
        });
        return (await started.send(request, relay(onProgress))) as RestoreOneResult;
      },
      cancel: () => started.cancel(),
    };
  }

  /**
   * A point-in-time recovery run by the target host's agent (pitr/pitr-restore.ts there): the base
   * backup and the WAL stream from the repository to the host, not through this console. null when
   * the host has no running agent or it cannot reach the repository.
   */
  async pitrRestore(hostId: string, repositoryId: string, req: { cluster: string; at: string; target: string; operationId: string; safetyImage?: string | undefined }, ctx: TaskContext): Promise<PitrRestoreResult | null> {
    const direct = await this.directTarget(hostId, repositoryId);
    if (!direct) return null;
    const { engine, repository } = direct;
    // The writers this console trusts now go with the request: the agent checks the archive's records against them.
    const request: z.input<typeof PitrRestoreRequest> = { ...req, repository, trusted: await this.d.trusted.list() };
    const result = await agentSendLines(
      engine,
      ['pitr-restore'],
      request,
      `Recovering ${req.target} on ${engine.name} through its agent`,
      (line) => {
        const l = line as { type?: string; message?: string; fraction?: number | null; level?: 'info' | 'warn' | 'error'; step?: string };
        if (l.type === 'progress' && l.message) ctx.report({ type: 'progress', message: `${l.message} (on ${engine.name}'s agent)`, fraction: l.fraction ?? null, ...(typeof l.step === 'string' ? { step: l.step } : {}) });
        if (l.type === 'log' && l.message) ctx.report({ type: 'log', level: l.level ?? 'info', message: l.message, ts: new Date().toISOString() });
      },
      ctx.signal,
    );
    return PitrRestoreResult.parse(result);
  }

}
