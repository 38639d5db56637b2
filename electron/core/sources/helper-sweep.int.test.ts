/**
 * sweepHelpers against a real engine: it removes Hindsight's own helpers older than the given age
 * (here limited to one test volume, so other tests' helpers on the shared lab are never at risk),
 * and never a fresh helper or a container that is not a helper, even one mounting the same volume.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../docker/engine.js';
import { dockerCli } from '../testing/lab.js';
import { createHelper, sweepHelpers } from './helper.js';
import { BUSYBOX, labEngines, removeQuietly, uniqueName, type LabEngines } from './testing/lab-engines.js';

let lab: LabEngines;
let science: Engine;
const volume = uniqueName('hs-sweep');
const plain = uniqueName('hs-sweep-plain');
const cli = (...args: string[]) => dockerCli(lab.machine('science'), ...args);
const exists = async (name: string) => (await cli('ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Names}}')).trim() === name;

beforeAll(async () => {
  lab = await labEngines();
  science = await lab.engine('science');
  await cli('volume', 'create', volume);
  await cli('create', '--name', plain, '-v', `${volume}:/data`, '--network', 'none', BUSYBOX, 'true');
});

afterAll(async () => {
  await removeQuietly(lab.machine('science'), 'container', plain);
  await removeQuietly(lab.machine('science'), 'volume', volume);
  await lab.dispose();
});

describe('sweepHelpers', () => {
  it('removes the old helpers of the volume, keeps a fresh one and the plain container', async () => {
    const old = await createHelper(science, { purpose: 'volume-source', image: BUSYBOX, volume, target: '/src', readOnly: true });
    // Docker's creation times have a resolution of one second.
    await new Promise((r) => setTimeout(r, 2_500));
    const fresh = await createHelper(science, { purpose: 'volume-sink', image: BUSYBOX, volume, target: '/v', readOnly: false });
    const removed = await sweepHelpers(science, { olderThanMs: 1_500, volume });
    expect(removed).toEqual([old.id]);
    expect(await exists(old.name)).toBe(false);
    expect(await exists(fresh.name)).toBe(true);
    expect(await exists(plain)).toBe(true);
    expect(await sweepHelpers(science, { olderThanMs: 0, volume })).toEqual([fresh.id]);
    expect(await exists(plain)).toBe(true);
  }, 60_000);
});
