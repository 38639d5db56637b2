/**
 * The once-per-engine sweep of helpers left behind: createHelper triggers it the first time it
 * makes a helper on an engine, with the stale-helper age; only labelled helpers older than that are
 * removed. A fake Docker API (pure logic); the real engine is in helper-sweep.int.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../docker/engine.js';
import { HELPER_LABEL } from './containers.js';
import { createHelper, staleHelperPolicy } from './helper.js';

interface FakeContainer {
  Id: string;
  Created: number;
  Labels: Record<string, string>;
}

function fakeEngine(containers: FakeContainer[]) {
  const removed: string[] = [];
  const listFilters: unknown[] = [];
  const docker = {
    listContainers: (opts: { filters: unknown }) => {
      listFilters.push(opts.filters);
      return Promise.resolve(containers);
    },
    getContainer: (id: string) => ({
      remove: () => {
        removed.push(id);
        return Promise.resolve();
      },
    }),
    createContainer: () => Promise.resolve({ id: `new-${listFilters.length}` }),
  };
  const engine = { name: 'fake', docker, localSocket: undefined } as unknown as Engine;
  return { engine, removed, listFilters };
}

const now = () => Date.now() / 1000;
const helper = (Id: string, ageSeconds: number): FakeContainer => ({ Id, Created: now() - ageSeconds, Labels: { [HELPER_LABEL]: 'true', [`${HELPER_LABEL}.volume`]: 'v' } });
const spec = { purpose: 'volume-source' as const, image: 'img', volume: 'v', target: '/src', readOnly: true };
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('sweeping helpers left behind', () => {
  it('the first helper made on an engine sweeps those older than a day, once per engine', async () => {
    expect(staleHelperPolicy.olderThanMs).toBe(24 * 60 * 60_000);
    const containers = [
      helper('two-days-old', 2 * 86_400),
      helper('an-hour-old', 3_600),
      // Says it is a helper volume-wise, but lacks the helper label: never touched, whatever the filter returned.
      { Id: 'not-a-helper', Created: now() - 10 * 86_400, Labels: { [`${HELPER_LABEL}.volume`]: 'v' } },
    ];
    const { engine, removed, listFilters } = fakeEngine(containers);
    await createHelper(engine, spec);
    await settle();
    expect(removed).toEqual(['two-days-old']);
    expect(listFilters).toEqual([{ label: [`${HELPER_LABEL}=true`] }]);
    await createHelper(engine, spec);
    await settle();
    expect(listFilters).toHaveLength(1);
    expect(removed).toEqual(['two-days-old']);
  });

  it('a sweep that fails does not fail the helper being made', async () => {
    const { engine } = fakeEngine([]);
    (engine.docker as unknown as { listContainers: () => Promise<never> }).listContainers = () => Promise.reject(new Error('tunnel dropped'));
    await expect(createHelper(engine, spec)).resolves.toMatchObject({ image: 'img' });
  });
});
