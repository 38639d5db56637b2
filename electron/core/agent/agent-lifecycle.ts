/**
 * Install, upgrade, remove and read the status of `hindsight-agent` on a host, through that host's
 * engine (the SSH → Docker tunnel). AgentManager (agent-manager.ts) is the console's one handle.
 *
 * Install is a series of idempotent steps, so an install cut half-way (the SSH link dropped during
 * the image load) is completed by running it again: load the image unless the engine has exactly
 * this build → create the state volume unless it exists → (re)create the container unless it runs
 * this image → start it → wait for its scheduler to run → pin its signing key for this host → push
 * the plans. Upgrade is the same with a newer image; the state volume (plans, key, history) stays.
 */
import { createReadStream } from 'node:fs';
import type Docker from 'dockerode';
import { AgentReport, type AgentStatus } from '../../../shared/contract/agent.js';
import { RpcError } from '../../../shared/contract/errors.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import type { HostsRepository } from '../config/hosts-repository.js';
import { statusCodeOf } from '../docker/engine-errors.js';
import type { Engine } from '../docker/engine.js';
import { createLogger } from '../log.js';
import type { TrustedWriters } from '../signing/index.js';
import { agentQuery } from './agent-exec.js';
import { AGENT_CONTAINER, AGENT_DOCKER_SOCKET, AGENT_LABEL, AGENT_STATE_DIR, AGENT_VOLUME, type AgentImageInfo } from './agent-image.js';
import { AGENT_IMAGE_ENV, AGENT_PIPES_DIR, AGENT_PIPES_VOLUME } from './agent-names.js';

const log = createLogger('agent');

export interface AgentLifecycleDeps {
  hosts: HostsRepository;
  engineFor: (hostId: string) => Promise<Engine>;
  trusted: TrustedWriters;
  /** The agent image this build carries (null: none). */
  image: () => AgentImageInfo | null;
  /** Sends the host's plans to its agent, the last step of an install. */
  push: (hostId: string, ctx?: TaskContext) => Promise<unknown>;
}

const say = (ctx: TaskContext | undefined, message: string, fraction: number | null = null) => {
  ctx?.report({ type: 'progress', fraction, message });
  log.info(message);
};

/** The agent container on this engine, or null. */
export async function inspectAgent(engine: Engine): Promise<Docker.ContainerInspectInfo | null> {
  try {
    return await engine.docker.getContainer(AGENT_CONTAINER).inspect();
  } catch (e) {
    if (statusCodeOf(e) === 404) return null;
    throw e;
  }
}

/** Reads the engine's answer to a load to its end; the engine reports failures inside it. */
async function loadImage(engine: Engine, image: AgentImageInfo): Promise<void> {
  const res = (await engine.docker.loadImage(createReadStream(image.path), { quiet: true } as object)) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of res as AsyncIterable<Buffer>) text += chunk.toString('utf8');
  const error = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      try {
        return (JSON.parse(l) as { error?: string }).error;
      } catch {
        return undefined;
      }
    })
    .find(Boolean);
  if (error) throw new RpcError('DOCKER_ERROR', `${engine.name} could not load the agent image: ${error}`);
}

export async function agentStatus(d: AgentLifecycleDeps, hostId: string, signal?: AbortSignal): Promise<AgentStatus> {
  const engine = await d.engineFor(hostId);
  const bundled = d.image();
  const info = await inspectAgent(engine);
  const base: AgentStatus = {
    hostId,
    installed: false,
    state: null,
    version: null,
    bundledVersion: bundled?.version ?? null,
    upgradeAvailable: false,
    keyPinned: false,
    keyId: null,
    report: null,
    problem: null,
  };
  if (!info) return base;
  const status: AgentStatus = {
    ...base,
    installed: true,
    state: info.State.Status,
    version: info.Config.Labels?.[`${AGENT_LABEL}.version`] ?? null,
    upgradeAvailable: !!bundled && info.Image !== bundled.id,
  };
  if (!info.State.Running) return { ...status, problem: `The agent container is ${info.State.Status}.` };
  try {
    const report = await agentQuery(engine, ['status'], AgentReport, `Reading the agent's status on ${engine.name}`, signal);
    const pinned = await d.trusted.find(report.keyId);
    const keyPinned = !!pinned && (pinned.hosts === '*' || pinned.hosts.includes(hostId));
    return { ...status, report, keyId: report.keyId, keyPinned };
  } catch (e) {
    return { ...status, problem: e instanceof Error ? e.message : String(e) };
  }
}

export async function installAgent(d: AgentLifecycleDeps, hostId: string, ctx?: TaskContext): Promise<AgentStatus> {
  const image = d.image();
  if (!image) throw new RpcError('INVALID_INPUT', 'This build of Hindsight carries no agent image. Build it with `npm run build:agent` (Linux, root), or set HINDSIGHT_AGENT_IMAGE_DIR.');
  const host = await d.hosts.stored(hostId);
  const engine = await d.engineFor(hostId);
  const docker = engine.docker;

  say(ctx, `Checking ${host.name} for the agent image ${image.tag}`, 0.02);
  const present = await docker
    .getImage(image.tag)
    .inspect()
    .then((i) => i.Id)
    .catch(() => null);
  if (present !== image.id) {
    say(ctx, `Loading the agent image into ${host.name}'s engine (${Math.round(image.bytes / 1048576)} MiB over the SSH tunnel)`, 0.05);
    await loadImage(engine, image);
  }

  await docker
    .getVolume(AGENT_VOLUME)
    .inspect()
    .catch(async (e: unknown) => {
      if (statusCodeOf(e) !== 404) throw e;
      say(ctx, `Creating the agent's state volume ${AGENT_VOLUME}`, 0.6);
      await docker.createVolume({ Name: AGENT_VOLUME, Labels: { [AGENT_LABEL]: 'state' } });
    });
  await docker
    .getVolume(AGENT_PIPES_VOLUME)
    .inspect()
    .catch(async (e: unknown) => {
      if (statusCodeOf(e) !== 404) throw e;
      await docker.createVolume({ Name: AGENT_PIPES_VOLUME, Labels: { [AGENT_LABEL]: 'pipes' } });
    });

  let info = await inspectAgent(engine);
  if (info && info.Image !== image.id) {
    say(ctx, `Replacing the agent container (${info.Config.Labels?.[`${AGENT_LABEL}.version`] ?? 'older build'} → ${image.version}); its state stays`, 0.65);
    await docker.getContainer(AGENT_CONTAINER).remove({ force: true });
    info = null;
  }
  if (!info) {
    const socket = host.connection.type === 'ssh' ? host.connection.remoteSocket : host.connection.socketPath;
    say(ctx, `Creating the container ${AGENT_CONTAINER}`, 0.7);
    await docker.createContainer({
      name: AGENT_CONTAINER,
      Image: image.id,
      Labels: { [AGENT_LABEL]: 'agent', [`${AGENT_LABEL}.version`]: image.version },
      // Its runs show in `docker logs hindsight-agent` (info: each run and its outcome).
      // Its own image makes its helpers (GNU tar, pipe-tar.ts): named here, as the agent cannot see it.
      Env: [`HINDSIGHT_WRITER=agent@${host.name}`, 'HINDSIGHT_LOG_LEVEL=info', `${AGENT_IMAGE_ENV}=${image.id}`],
      HostConfig: {
        RestartPolicy: { Name: 'unless-stopped' },
        // The host's network: the agent reaches the repository the way the host does.
        NetworkMode: 'host',
        Binds: [`${socket}:${AGENT_DOCKER_SOCKET}`, `${AGENT_VOLUME}:${AGENT_STATE_DIR}`, `${AGENT_PIPES_VOLUME}:${AGENT_PIPES_DIR}`],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
      },
    });
  }
  if (!(await inspectAgent(engine))?.State.Running) {
    say(ctx, `Starting ${AGENT_CONTAINER}`, 0.75);
    await docker.getContainer(AGENT_CONTAINER).start();
  }

  say(ctx, 'Waiting for the agent to answer', 0.8);
  const report = await waitForAgent(engine);
  say(ctx, `Trusting the agent's signing key ${report.keyId} for ${host.name} only`, 0.88);
  await d.trusted.pin({ publicKey: report.publicKey, writer: `agent@${host.name}`, hosts: [hostId] });
  say(ctx, `Sending ${host.name}'s plans to the agent`, 0.92);
  await d.push(hostId, ctx);
  return agentStatus(d, hostId);
}

/**
 * The agent's first answer once its scheduler runs: a container just started answers `status`
 * before its scheduler has said it runs, and an install that returned then would show
 * "scheduler not running" for an agent about to run. Past 30 s the last answer is returned as
 * it is (the status shows the scheduler not running); no answer at all is the error.
 */
async function waitForAgent(engine: Engine) {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      const report = await agentQuery(engine, ['status'], AgentReport, `Asking the agent on ${engine.name}`);
      if (report.daemon.alive || Date.now() > until) return report;
    } catch (e) {
      if (Date.now() > until) throw e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function removeAgent(d: AgentLifecycleDeps, hostId: string, purge: boolean, ctx?: TaskContext): Promise<{ removed: boolean; stateRemoved: boolean }> {
  const engine = await d.engineFor(hostId);
  const info = await inspectAgent(engine);
  if (info) {
    say(ctx, `Stopping and removing ${AGENT_CONTAINER} on ${engine.name}`, 0.3);
    await engine.docker.getContainer(AGENT_CONTAINER).stop({ t: 20 }).catch(() => undefined);
    await engine.docker.getContainer(AGENT_CONTAINER).remove({ force: true });
  }
  // The pipes volume holds nothing worth keeping (helpers of a run cut short may still mount it).
  await engine.docker.getVolume(AGENT_PIPES_VOLUME).remove().catch(() => undefined);
  let stateRemoved = false;
  if (purge) {
    say(ctx, `Removing the agent's state volume ${AGENT_VOLUME} (its plans, key and journals)`, 0.7);
    await engine.docker
      .getVolume(AGENT_VOLUME)
      .remove()
      .then(() => (stateRemoved = true))
      .catch((e: unknown) => {
        if (statusCodeOf(e) !== 404) throw e;
      });
    if (info) await engine.docker.getImage(info.Image).remove().catch(() => undefined);
  }
  return { removed: !!info, stateRemoved };
}
