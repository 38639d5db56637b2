/**
 * Directory round trip on science: runBackup of a directory inside a container of our own → the
 * directory changed → restore (validated tar through the container's archive endpoint, safety copy
 * first) → the same files, modes, owners and links as at backup time; a failed restore puts the
 * changed directory back from the safety copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostInput } from '../../../shared/contract/hosts.js';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { runBackup } from '../backup/run-backup.js';
import { BUSYBOX, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli, sshConnectionOf } from '../testing/lab.js';
import { runRestore } from './runner.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';

let t: LabRestore;
let science: string;
let manifest: Manifest;
let original: string;
const app = uniqueName('hs-rst-dir');
const fresh = uniqueName('hs-rst-dir-fresh');
const DIR = '/srv/conf';

const inApp = (script: string, container = app) => dockerCli(t.lab.machines.science, 'exec', container, 'sh', '-c', script);
/** Names, types, modes, owners, sizes, link targets and content hashes of everything under DIR. */
const listing = (container = app) => inApp(`cd ${DIR} && find . | sort | while read -r f; do echo "$(stat -c '%n %F %a %u:%g %s' "$f") $(readlink "$f" || true) $([ -f "$f" ] && [ ! -L "$f" ] && md5sum < "$f" | cut -c1-12)"; done`, container);

beforeAll(async () => {
  t = await labRestore();
  science = (await t.hosts.add(HostInput.parse({ name: 'science', role: 'science', connection: sshConnectionOf(t.lab.machines.science) }))).id;
  for (const c of [app, fresh]) await dockerCli(t.lab.machines.science, 'run', '-d', '--name', c, '--network', 'none', BUSYBOX, 'sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait');
  await inApp(
    `mkdir -p ${DIR}/sub/empty && echo 'a = 1' > ${DIR}/app.ini && echo 'résumé' > "${DIR}/sub/notes 2026.txt" && ` +
      `echo secret > ${DIR}/key && chmod 600 ${DIR}/key && chown 1000:1000 ${DIR}/sub && ln -s app.ini ${DIR}/current && ln -s ../../etc/passwd ${DIR}/sub/up`,
  );
  original = await listing();
  ({ manifest } = await runBackup({
    set: 'dirtest',
    host: { id: science, name: 'science' },
    engine: await t.engine(science),
    backend: t.backend,
    sources: [{ kind: 'directory', name: 'conf', container: app, path: DIR }],
    compression: 'zstd',
    encryption: { kind: 'none', spec: { kind: 'none' } },
    stopContainers: false,
    tags: [],
  }, { signer: t.signer }));
}, 120_000);

afterAll(async () => {
  for (const c of [app, fresh]) await removeQuietly(t.lab.machines.science, 'container', c);
  await t?.dispose();
});

describe('directory restore', () => {
  it('puts the directory back as it was at backup time (changed and added files undone)', async () => {
    expect(manifest.sources[0]!.origin.path).toBe(DIR);
    await inApp(`echo 'a = 2' > ${DIR}/app.ini && echo new > ${DIR}/added.txt && rm -r ${DIR}/sub/empty`);
    expect(await listing()).not.toBe(original);
    const r = await runRestore(t.deps, { repositoryId: t.repositoryId, snapshotId: manifest.id, targetHostId: science, map: { conf: app }, safetyCopy: true });
    expect(r.state).toBe('succeeded');
    expect(r.verification[0]!.ok).toBe(true);
    expect(r.verification[0]!.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['entries', 'file bytes']));
    expect(await listing()).toBe(original);
  });

  it('a failed restore puts the changed directory back from the safety copy', async () => {
    await inApp(`echo 'a = 3' > ${DIR}/app.ini && echo later > ${DIR}/later.txt`);
    const changed = await listing();
    const deps = {
      ...t.deps,
      beforeStep: (step: string) => {
        if (step === 'verify') throw new Error('injected failure before verify');
      },
    };
    await expect(runRestore(deps, { repositoryId: t.repositoryId, snapshotId: manifest.id, targetHostId: science, map: { conf: app }, safetyCopy: true })).rejects.toThrow(
      /injected failure before verify — rolled back/,
    );
    expect(await listing()).toBe(changed);
  });

  it('into a container without the directory: a failed restore removes what it created, a good one creates it', async () => {
    const absent = `[ ! -e ${DIR} ] && echo absent`;
    expect(await inApp(absent, fresh)).toBe('absent');
    const deps = {
      ...t.deps,
      beforeStep: (step: string) => {
        if (step === 'verify') throw new Error('injected failure before verify');
      },
    };
    const input = { repositoryId: t.repositoryId, snapshotId: manifest.id, targetHostId: science, map: { conf: fresh }, safetyCopy: true };
    await expect(runRestore(deps, input)).rejects.toThrow(new RegExp(`rolled back \\(removed ${DIR} from ${fresh}`));
    expect(await inApp(absent, fresh)).toBe('absent');
    const r = await runRestore(t.deps, input);
    expect(r.state).toBe('succeeded');
    expect(await listing(fresh)).toBe(original);
  });

  it('the plan shows the commands for a directory (clear + tar in the container)', async () => {
    const { planRestore } = await import('./planner.js');
    const plan = planRestore({
      manifest,
      repositoryId: t.repositoryId,
      target: { id: science, name: 'science', protected: false },
      map: { conf: app },
      safetyCopy: true,
      inventory: { volumes: [], containers: [{ name: app, state: 'running', image: BUSYBOX, volumes: [] }] },
    });
    expect(plan.blockers).toEqual([]);
    expect(plan.targets[0]).toMatchObject({ kind: 'directory', targetKind: 'container', target: app });
    const restore = plan.steps.find((s) => s.kind === 'restore')!;
    expect(restore.commands[0]).toContain(`tar -C ${DIR} -xpf -`);
  });
});
