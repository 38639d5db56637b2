/**
 * Stopping the users of a volume and bringing them back: running → running, paused → paused,
 * stopped (created, exited) → still stopped — whatever happened in between.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../docker/engine.js';
import { dockerCli } from '../testing/lab.js';
import { BUSYBOX, labEngines, removeQuietly, uniqueName, type LabEngines } from './testing/lab-engines.js';
import { openVolumeTar } from './volume-source.js';
import { restartUsers, stopUsers, withUsersStopped } from './volume-users.js';

let lab: LabEngines;
let prod: Engine;
const volume = uniqueName('hs-test-users');
const names = { running: uniqueName('hs-test-running'), paused: uniqueName('hs-test-paused'), created: uniqueName('hs-test-created'), exited: uniqueName('hs-test-exited') };
const LOOP = 'trap "exit 0" TERM; while :; do sleep 1; done';

const cli = (...args: string[]) => dockerCli(lab.machine('production'), ...args);
const state = (name: string) => cli('inspect', '--format', '{{.State.Status}}', name);
async function states(): Promise<Record<string, string>> {
  return {
    running: await state(names.running),
    paused: await state(names.paused),
    created: await state(names.created),
    exited: await state(names.exited),
  };
}
const FORMER = { running: 'running', paused: 'paused', created: 'created', exited: 'exited' };

beforeAll(async () => {
  lab = await labEngines();
  prod = await lab.engine('production');
  await cli('volume', 'create', volume);
  const mount = ['-v', `${volume}:/data`, '--network', 'none', '--label', 'org.hindsight.test=sources'];
  await cli('run', '-d', '--name', names.exited, ...mount, BUSYBOX, 'true');
  await cli('create', '--name', names.created, ...mount, BUSYBOX, 'true');
  await cli('run', '-d', '--name', names.running, ...mount, BUSYBOX, 'sh', '-c', LOOP);
  await cli('run', '-d', '--name', names.paused, ...mount, BUSYBOX, 'sh', '-c', LOOP);
  await cli('pause', names.paused);
  await cli('wait', names.exited);
});

afterAll(async () => {
  for (const n of Object.values(names)) await removeQuietly(lab.machine('production'), 'container', n);
  await removeQuietly(lab.machine('production'), 'volume', volume);
  await lab.dispose();
});

describe('users of a volume', () => {
  it('are reported by the volume source', async () => {
    const source = await openVolumeTar({ engine: prod, volume });
    source.stream.resume();
    await source.closed;
    expect(source.users.map((u) => u.name).sort()).toEqual(Object.values(names).sort());
  });

  it('stop, then come back in their former states (a stopped one stays stopped)', async () => {
    expect(await states()).toEqual(FORMER);
    const saved = await stopUsers(prod, volume, { timeoutSeconds: 5 });
    expect(saved.users.map((u) => [u.name, u.state])).toEqual([
      [names.exited, 'stopped'],
      [names.created, 'stopped'],
      [names.running, 'running'],
      [names.paused, 'paused'],
    ]);
    expect(await states()).toEqual({ running: 'exited', paused: 'exited', created: 'created', exited: 'exited' });
    const outcome = await restartUsers(prod, saved);
    expect(outcome).toEqual({ restored: [names.running, names.paused], failures: [] });
    expect(await states()).toEqual(FORMER);
  });

  it('come back even when the work in between fails', async () => {
    const failure = await withUsersStopped(prod, volume, async () => {
      expect((await states()).running).toBe('exited');
      throw new Error('the restore failed');
    }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ message: 'the restore failed' });
    expect(await states()).toEqual(FORMER);
  });

  it('a container that cannot come back is reported, the others still are', async () => {
    const saved = await stopUsers(prod, volume, { timeoutSeconds: 5 });
    await cli('rm', names.running);
    await expect(restartUsers(prod, saved)).rejects.toThrow(new RegExp(`Could not bring back 1 container.*${names.running}`));
    expect(await state(names.paused)).toBe('paused');
  });
});
