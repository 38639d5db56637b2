/**
 * Engines for the lab machines, reached the way core reaches a saved host: hosts.json in a temp
 * config dir (keys pinned from the lab), an EngineRegistry, SSH tunnels. Plus small docker CLI
 * helpers straight on each machine's socket — the independent witness the tests compare with.
 */
import { randomBytes } from 'node:crypto';
import { HostInput } from '../../../../shared/contract/hosts.js';
import { HostsRepository } from '../../config/hosts-repository.js';
import { configFiles } from '../../config/paths.js';
import { SecretsStore } from '../../config/secrets-store.js';
import type { Engine } from '../../docker/engine.js';
import { EngineRegistry } from '../../docker/engine-registry.js';
import { KnownHostsStore } from '../../ssh/known-hosts-store.js';
import { PendingHostKeys } from '../../ssh/pending-host-keys.js';
import { dockerCli, readLab, sshConnectionOf, tempConfigDir, type LabMachine } from '../../testing/lab.js';

export type MachineName = 'production' | 'uat' | 'science';

export interface LabEngines {
  engine(name: MachineName): Promise<Engine>;
  machine(name: MachineName): LabMachine;
  dispose(): Promise<void>;
}

export async function labEngines(): Promise<LabEngines> {
  const lab = readLab();
  const cfg = await tempConfigDir({ pinned: true });
  const files = configFiles(cfg.dir);
  const secrets = new SecretsStore(files.secrets);
  const hosts = new HostsRepository(files.hosts, secrets);
  const registry = new EngineRegistry(hosts, secrets, {
    knownHosts: new KnownHostsStore(files.knownHosts, null),
    pendingKeys: new PendingHostKeys(),
    agentSocket: undefined,
  });
  const ids = new Map<MachineName, string>();
  return {
    async engine(name) {
      let id = ids.get(name);
      if (!id) {
        id = (await hosts.add(HostInput.parse({ name, connection: sshConnectionOf(lab.machines[name]) }))).id;
        ids.set(name, id);
      }
      return registry.forHost(id);
    },
    machine: (name) => lab.machines[name],
    async dispose() {
      registry.disposeAll();
      await cfg.cleanup();
    },
  };
}

/** A name no other test (or engineer) uses: prefix + random hex. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export const BUSYBOX = 'hindsight-lab/busybox:latest';
export const POSTGRES = 'hindsight-lab/postgres:15';

/** Runs a shell script in a throw-away busybox container with the volume at /v. */
export function inVolume(machine: LabMachine, volume: string, script: string): Promise<string> {
  return dockerCli(machine, 'run', '--rm', '--network', 'none', '-v', `${volume}:/v`, BUSYBOX, 'sh', '-c', script);
}

/** Every entry of the volume: name, mode, owner, size, mtime, links, type — sorted; and file hashes. */
export async function volumeListing(machine: LabMachine, volume: string): Promise<{ stat: string; sha: string }> {
  const stat = await inVolume(machine, volume, 'find /v -exec stat -c "%n|%a|%u:%g|%s|%Y|%h|%F|%N" {} + | sort');
  const sha = await inVolume(machine, volume, 'find /v -type f -exec sha256sum {} + | sort -k2');
  return { stat, sha };
}

/** Helper containers of one volume still present on a machine. */
export async function leftoverHelpers(machine: LabMachine, volume: string, settleMs = 15_000): Promise<string[]> {
  const list = async () => (await dockerCli(machine, 'ps', '-a', '--filter', 'label=org.hindsight.helper=true', '--filter', `label=org.hindsight.helper.volume=${volume}`, '--format', '{{.Names}}')).split('\n').filter(Boolean);
  // A pipe helper removes itself once the engine has torn it down (sources/pipe-helper-run.ts),
  // which may take a few seconds after the operation returned; one still there after 15 s is left behind.
  const until = Date.now() + settleMs;
  let left = await list();
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    left = await list();
  }
  return left;
}

/** Removes a test container, or a test volume together with any helper a failed test left on it. */
export async function removeQuietly(machine: LabMachine, kind: 'container' | 'volume', name: string): Promise<void> {
  if (kind === 'container') {
    await dockerCli(machine, 'rm', '-f', '-v', name).catch(() => undefined);
    return;
  }
  for (const helper of await leftoverHelpers(machine, name, 0).catch(() => [])) await dockerCli(machine, 'rm', '-f', '-v', helper).catch(() => undefined);
  await dockerCli(machine, 'volume', 'rm', '-f', name).catch(() => undefined);
}

/** Debugging aid: logs every engine request and its outcome (HINDSIGHT_TRACE_ENGINE=1). */
export function traceEngine(engine: Engine, label: string): void {
  if (!process.env.HINDSIGHT_TRACE_ENGINE) return;
  const t0 = Date.now();
  const modem = (engine.docker as unknown as { modem: { dial: (o: { path: string; method: string }, cb: (e: unknown, d: unknown) => void) => void } }).modem;
  const dial = modem.dial.bind(modem);
  let n = 0;
  modem.dial = (o, cb) => {
    const id = ++n;
    console.log(`${Date.now() - t0} ${label}#${id} -> ${o.method} ${o.path}`);
    dial(o, (err, d) => {
      console.log(`${Date.now() - t0} ${label}#${id} <- ${err ? (err as Error).message : 'ok'}`);
      cb(err, d);
    });
  };
}
