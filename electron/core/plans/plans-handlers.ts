/**
 * The `plans.*` handlers: saved plans (plans-store.ts) with their next run, and prune — retention
 * of one plan's snapshots in its repository (prune.ts). The host's agent runs the schedules; the
 * console keeps the plans and shows them.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import type { Plan, PlanView } from '../../../shared/contract/plans.js';
import type { BackendHandlers } from '../backend-types.js';
import type { HostsRepository } from '../config/hosts-repository.js';
import { createBackend, type BackendDeps, type RepositoriesStore } from '../repository/index.js';
import { PlansStore } from './plans-store.js';
import { prunePlan } from './prune.js';
import { nextRun } from './schedule.js';

export interface PlansDeps {
  configDir: string;
  hosts: HostsRepository;
  repositories: RepositoriesStore;
  backendDeps: BackendDeps;
  now?: () => Date;
}

export function plansHandlers(d: PlansDeps): BackendHandlers['plans'] {
  const store = new PlansStore(d.configDir);
  const now = d.now ?? (() => new Date());
  const view = (p: Plan): PlanView => ({ ...p, nextRun: p.paused ? null : (nextRun(p.schedule, now())?.toISOString() ?? null) });
  const byName = async <T extends { id: string; name: string }>(list: Promise<T[]>, idOrName: string, what: string): Promise<T> => {
    const all = await list;
    const hit = all.find((x) => x.id === idOrName) ?? all.find((x) => x.name === idOrName);
    if (!hit) throw new RpcError('NOT_FOUND', `There is no ${what} "${idOrName}".`);
    return hit;
  };

  return {
    list: async () => (await store.list()).map(view),
    get: async ({ id }) => view(await store.get(id)),
    add: async (input) => {
      // Stored by id, so renaming a host or repository keeps the plan working.
      const host = await byName(d.hosts.list(), input.hostId, 'host');
      const repo = await byName(d.repositories.list(), input.repositoryId, 'repository');
      return view(await store.add({ ...input, hostId: host.id, repositoryId: repo.id }, now()));
    },
    remove: async ({ id }) => ({ removed: await store.remove(id) }),
    pause: async ({ id }) => view(await store.setPaused(id, true)),
    resume: async ({ id }) => view(await store.setPaused(id, false)),
    prune: async ({ id, dryRun }) => {
      const plan = await store.get(id);
      const [config, secrets] = await Promise.all([d.repositories.stored(plan.repositoryId), d.repositories.secrets(plan.repositoryId)]);
      const backend = createBackend(config, secrets, d.backendDeps);
      try {
        return await prunePlan(backend, plan, { dryRun, now: now() });
      } finally {
        await backend.close().catch(() => undefined);
      }
    },
  };
}
