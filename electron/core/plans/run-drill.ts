/**
 * A restore drill: verify the newest snapshot of a plan on the drill's host — the existing
 * throwaway verify (restore/verify.ts: restored into a throwaway target, checked, removed), whose
 * result lands next to the snapshot (verify/<id>/…) and so in the staleness view. Run by the drill
 * host's agent on the drill's schedule; it leaves a run record (kind "drill") and tells the plan's
 * notification targets, like a backup. A verification that fails is a failed drill, loudly.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import type { Plan } from '../../../shared/contract/plans.js';
import type { VerifyInput, VerifyResult } from '../../../shared/contract/restore.js';
import { Manifest } from '../../../shared/contract/snapshots.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import { listSnapshots, readJsonObject, type RepositoryBackend } from '../repository/index.js';
import { planRun, type PlanRunResult, type RunHow, type RunPlanDeps } from './run-plan.js';

export interface RunDrillDeps extends RunPlanDeps {
  verify: (input: VerifyInput, ctx: TaskContext) => Promise<VerifyResult>;
}

/** The newest snapshot of the plan (its set, its host), or null. */
export async function newestSnapshotOf(backend: RepositoryBackend, plan: Plan): Promise<string | null> {
  const refs = (await listSnapshots(backend, { set: plan.name })).sort((a, b) => (a.id < b.id ? 1 : -1));
  for (const ref of refs) {
    const m = await readJsonObject(backend, ref.manifestKey, Manifest).catch(() => null);
    if (m?.sourceHost.id === plan.hostId) return ref.id;
  }
  return null;
}

export async function runDrill(d: RunDrillDeps, plan: Plan, ctx: TaskContext, how: RunHow): Promise<PlanRunResult> {
  if (!plan.drill) throw new RpcError('INVALID_INPUT', `Plan ${plan.name} has no restore drill.`);
  const drillHost = plan.drill.hostId;
  let snapshotId: string | undefined;
  return planRun(d, plan, how, { lock: `${plan.id}:drill`, hostId: drillHost, label: `${plan.name} (restore drill)` }, async (step) => {
    await step(
      'drill',
      async () => {
        snapshotId = (await d.withRepository(plan, (b) => newestSnapshotOf(b, plan))) ?? undefined;
        if (!snapshotId) throw new RpcError('NOT_FOUND', `Plan ${plan.name} has no snapshot to verify yet.`);
        const host = await d.hostName(drillHost).catch(() => drillHost);
        ctx.report({ type: 'progress', fraction: null, message: `Verifying ${snapshotId} on ${host}` });
        const r = await d.verify({ repositoryId: plan.repositoryId, snapshotId, hostId: drillHost }, ctx);
        if (!r.ok) throw new RpcError('CORRUPTED', `The restore drill of ${plan.name} FAILED: snapshot ${snapshotId} did not verify on ${host} (operation ${r.operationId}).`);
      },
      () => (snapshotId ? { snapshotId } : {}),
    );
    return { snapshotId: snapshotId!, deleted: [] };
  });
}
