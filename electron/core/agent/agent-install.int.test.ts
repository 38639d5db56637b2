/**
 * The agent installed, upgraded and removed on two lab machines through the real SSH → Docker
 * tunnel, checked against each engine's own docker CLI: the image is loaded through the API (no
 * registry), the container runs with restart unless-stopped, host networking, the engine socket and
 * the state volume; its signing key is pinned for its host only. An SSH link cut during the image
 * load fails the install and leaves a host that a second install completes. An upgrade replaces the
 * container and keeps the state (same key, same plans); remove keeps the state unless purged.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostInput } from '../../../shared/contract/hosts.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import { labRestore, type LabRestore } from '../restore/testing/lab-restore.js';
import { TrustedWriters } from '../signing/index.js';
import { dockerCli, sshConnectionOf, type LabMachine } from '../testing/lab.js';
import { TcpRelay } from '../testing/tcp-relay.js';
import { AgentManager } from './agent-manager.js';
import { AGENT_CONTAINER, AGENT_VOLUME, type AgentImageInfo } from './agent-image.js';
import { AGENT_IMAGE_ENV, AGENT_PIPES_DIR, AGENT_PIPES_VOLUME } from './agent-names.js';
import { PlansStore } from '../plans/plans-store.js';
import { uniqueName } from '../sources/testing/lab-engines.js';
import { labS3Repository, requireAgentImage, variantImage } from './testing/lab-agent.js';

let t: LabRestore;
let image: AgentImageInfo;
let older: AgentImageInfo;
let relay: TcpRelay;
let scienceViaRelay: string;
const ctx = (): TaskContext => ({ signal: new AbortController().signal, report: () => undefined });
const manager = (img: AgentImageInfo = image) =>
  new AgentManager({ configDir: t.configDir, hosts: t.hosts, engineFor: (id) => t.engine(id), repositories: t.repositories, trusted: new TrustedWriters(t.configDir), image: () => img });

async function purge(m: LabMachine) {
  await dockerCli(m, 'rm', '-f', AGENT_CONTAINER).catch(() => undefined);
  await dockerCli(m, 'volume', 'rm', '-f', AGENT_VOLUME).catch(() => undefined);
  await dockerCli(m, 'volume', 'rm', '-f', AGENT_PIPES_VOLUME).catch(() => undefined);
}
interface Inspected {
  Id: string;
  Image: string;
  HostConfig: { RestartPolicy: { Name: string }; NetworkMode: string };
  Config: { Env: string[] };
  Mounts: { Source: string; Destination: string; Name?: string }[];
}
const inspect = async (m: LabMachine, what: string) => JSON.parse(await dockerCli(m, 'inspect', what)) as [Inspected];

beforeAll(async () => {
  image = requireAgentImage();
  t = await labRestore();
  const sci = t.lab.machines.science;
  relay = new TcpRelay(sci.address, sci.port);
  const port = await relay.listen();
  await fsp.appendFile(path.join(t.configDir, 'known_hosts'), `[127.0.0.1]:${port} ${sci.hostKeyLine.split(/\s+/).slice(1).join(' ')}\n`);
  scienceViaRelay = (await t.hosts.add(HostInput.parse({ name: 'science', role: 'science', connection: sshConnectionOf(sci, { address: '127.0.0.1', port }) }))).id;
  for (const m of [t.lab.machines.production, sci]) {
    await purge(m);
    await dockerCli(m, 'rmi', '-f', image.tag).catch(() => undefined);
  }
  older = await variantImage(image, t.configDir, 'older');
}, 180_000);

afterAll(async () => {
  for (const m of [t?.lab.machines.production, t?.lab.machines.science]) if (m) await purge(m);
  relay?.close();
  await t?.dispose();
});

describe('the agent on the lab machines', () => {
  it('an SSH cut during the image load fails the install; a retry completes it', async () => {
    const sci = t.lab.machines.science;
    relay.cutAfter(20 << 20);
    await expect(manager().install(scienceViaRelay, ctx())).rejects.toThrow();
    expect(relay.cuts).toBe(1);
    // Nothing half-made: no image under that tag, no container.
    await expect(dockerCli(sci, 'image', 'inspect', image.tag)).rejects.toThrow();
    await expect(dockerCli(sci, 'inspect', AGENT_CONTAINER)).rejects.toThrow();

    const s = await manager().install(scienceViaRelay, ctx());
    expect(s).toMatchObject({ installed: true, state: 'running', version: image.version, upgradeAvailable: false, keyPinned: true, problem: null });
    expect(s.report?.daemon.alive).toBe(true);
    expect((await inspect(sci, AGENT_CONTAINER))[0].Image).toBe(image.id);
  }, 240_000);

  it('installs on production: image by the API, restart policy, host network, socket and state mounted, key pinned for production only', async () => {
    const prod = t.lab.machines.production;
    const s = await manager().install(t.ids.production, ctx());
    expect(s).toMatchObject({ installed: true, state: 'running', version: image.version, keyPinned: true });
    const [c] = await inspect(prod, AGENT_CONTAINER);
    expect(c.Image).toBe(image.id);
    expect(c.HostConfig.RestartPolicy.Name).toBe('unless-stopped');
    expect(c.HostConfig.NetworkMode).toBe('host');
    const mounts = c.Mounts.map((m) => [m.Name ?? m.Source, m.Destination]);
    expect(mounts).toEqual(expect.arrayContaining([[prod.remoteSocket, '/var/run/docker.sock'], [AGENT_VOLUME, '/var/lib/hindsight-agent'], [AGENT_PIPES_VOLUME, AGENT_PIPES_DIR]]));
    // Its helpers are made from its own image (GNU tar through the pipe folder, sources/pipe-tar.ts).
    expect(c.Config.Env).toContain(`${AGENT_IMAGE_ENV}=${image.id}`);
    // Its own key, not science's; pinned for production only.
    const science = await manager().status(scienceViaRelay);
    expect(s.keyId).not.toBe(science.keyId);
    const pinned = await new TrustedWriters(t.configDir).find(s.keyId!);
    expect(pinned).toMatchObject({ writer: 'agent@production', hosts: [t.ids.production] });
    // A second install changes nothing (same container).
    const again = await manager().install(t.ids.production, ctx());
    expect(again.keyId).toBe(s.keyId);
    expect((await inspect(prod, AGENT_CONTAINER))[0].Id).toBe(c.Id);
  }, 180_000);

  it('upgrade replaces the container and keeps the state: same key, same plans', async () => {
    const prod = t.lab.machines.production;
    await manager().remove(t.ids.production, true, ctx());
    const repositoryId = await labS3Repository(t.repositories, uniqueName('agent-upgrade'));
    await new PlansStore(t.configDir).add({ name: 'nightly', hostId: t.ids.production, repositoryId, sources: [{ kind: 'volume', volume: 'shop_files' }], schedule: { cron: 'daily', timeZone: 'UTC' } });
    const old = await manager(older).install(t.ids.production, ctx());
    expect(old.version).toBe(older.version);
    expect(old.report?.plans.map((p) => p.name)).toEqual(['nightly']);
    expect(await manager().status(t.ids.production)).toMatchObject({ upgradeAvailable: true, bundledVersion: image.version });
    const before = (await inspect(prod, AGENT_CONTAINER))[0].Id;

    const up = await manager().install(t.ids.production, ctx());
    expect(up).toMatchObject({ version: image.version, upgradeAvailable: false, keyId: old.keyId, keyPinned: true });
    expect(up.report?.plans.map((p) => p.name)).toEqual(['nightly']);
    const [c] = await inspect(prod, AGENT_CONTAINER);
    expect(c.Id).not.toBe(before);
    expect(c.Image).toBe(image.id);
  }, 240_000);

  it('remove keeps the state volume; purge deletes it; status says not installed', async () => {
    const prod = t.lab.machines.production;
    const keyBefore = (await manager().status(t.ids.production)).keyId;
    expect(await manager().remove(t.ids.production, false, ctx())).toEqual({ removed: true, stateRemoved: false });
    await expect(dockerCli(prod, 'inspect', AGENT_CONTAINER)).rejects.toThrow();
    expect(await dockerCli(prod, 'volume', 'ls', '-q')).toContain(AGENT_VOLUME);
    // The pipe folder holds nothing worth keeping.
    expect(await dockerCli(prod, 'volume', 'ls', '-q')).not.toContain(AGENT_PIPES_VOLUME);
    expect(await manager().status(t.ids.production)).toMatchObject({ installed: false, state: null, report: null });
    // Installed again on the kept state: the same key.
    expect((await manager().install(t.ids.production, ctx())).keyId).toBe(keyBefore);

    expect(await manager().remove(t.ids.production, true, ctx())).toEqual({ removed: true, stateRemoved: true });
    expect(await dockerCli(prod, 'volume', 'ls', '-q')).not.toContain(AGENT_VOLUME);
  }, 180_000);
});
