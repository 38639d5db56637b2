/**
 * restore.preflight: every check the run would make, made now without changing anything, as
 * pass / warn / fail with a plain-words detail. The target-side checks (versions, free space) are
 * the runner's own (preflight.ts); the refusals the runner makes before its journal (lock,
 * interrupted operation, plan blockers) are shown here as checks too.
 */
import { engineId } from '../docker/engine-id.js';
import type { PreflightCheck } from '../../../shared/contract/restore.js';
import { RpcError } from '../../../shared/contract/errors.js';
import { dataRootProbe, interruptedClash, lockCheck, targetChecks } from './preflight.js';
import { buildPlan, type RestoreDeps } from './runner.js';
import { messageOf } from './task-notes.js';

type Input = Parameters<typeof buildPlan>[1];

export async function restorePreflight(deps: RestoreDeps, input: Input, signal?: AbortSignal): Promise<{ checks: PreflightCheck[]; ok: boolean }> {
  const host = await deps.host(input.targetHostId);
  const checks: PreflightCheck[] = [];
  const reach = { id: 'reachability', title: `${host.name} reachable` };
  const engine = await deps.engineFor(host.id);
  try {
    await engine.connect();
    checks.push({ ...reach, status: 'pass', detail: `The Docker engine on ${host.name} answers.` });
  } catch (e) {
    checks.push({ ...reach, status: 'fail', detail: `Cannot reach the Docker engine on ${host.name}: ${messageOf(e)}` });
    return { checks, ok: false };
  }

  // Protected hosts: a warning here (the run asks for the name); the plan is built as if confirmed
  // so that its other blockers still show.
  const confirmed = !host.protected || input.confirm === host.name;
  const { plan, manifest, inventory, safetyImage } = await buildPlan(deps, { ...input, confirm: host.name }, signal);
  checks.push(
    host.protected
      ? {
          id: 'protected',
          title: 'Protected host',
          status: 'warn',
          detail: confirmed ? `${host.name} is protected; its name was typed to confirm.` : `${host.name} is protected: type its name to confirm before the restore runs.`,
        }
      : { id: 'protected', title: 'Protected host', status: 'pass', detail: `${host.name} is not protected.` },
  );
  for (const b of plan.blockers) checks.push({ id: 'plan', title: 'The restore can be planned', status: 'fail', detail: b });

  for (const t of plan.targets) {
    const base = { id: 'target', source: t.source, title: `Target ${t.target}` };
    if (t.targetKind === 'volume') {
      checks.push({ ...base, status: 'pass', detail: t.create ? `Volume ${t.target} does not exist on ${host.name}; it will be created.` : `Volume ${t.target} exists on ${host.name}; its content will be replaced.` });
    } else {
      const c = inventory.containers.find((x) => x.name === t.target);
      if (!c) checks.push({ ...base, status: 'fail', detail: `There is no container ${t.target} on ${host.name} to load the database into.` });
      else if (c.state !== 'running') checks.push({ ...base, status: 'fail', detail: `Container ${t.target} on ${host.name} is ${c.state}; the database must be running to load a dump.` });
      else checks.push({ ...base, status: 'pass', detail: `Container ${t.target} (${c.image}) is running on ${host.name}.` });
    }
  }
  const users = [...new Set(plan.targets.flatMap((t) => t.users.filter((u) => u.state === 'running' || u.state === 'paused' || u.state === 'restarting').map((u) => u.name)))];
  checks.push(
    users.length
      ? { id: 'users', title: 'Containers to stop', status: 'warn', detail: `${users.join(', ')} will be stopped during the restore and started again afterwards.` }
      : { id: 'users', title: 'Containers to stop', status: 'pass', detail: 'No running container uses the targets.' },
  );

  checks.push(await lockCheck(deps.locks, await engineId(engine), plan));
  const clash = await interruptedClash(deps.configDir, deps.active, host.id, plan);
  if (clash) checks.push({ id: 'interrupted', title: 'No interrupted operation on the targets', status: 'fail', detail: clash });

  // Versions and free space: only for targets that can be looked at.
  const lookable = { ...plan, targets: plan.targets.filter((t) => t.targetKind === 'volume' || inventory.containers.some((c) => c.name === t.target && c.state === 'running')) };
  try {
    checks.push(
      ...(await targetChecks({ engine, hostName: host.name, plan: lookable, manifest, configDir: deps.configDir, safetyCopy: input.safetyCopy, safetyOnHost: !!safetyImage, probeVolume: dataRootProbe(inventory), signal })),
    );
  } catch (e) {
    if (signal?.aborted) throw new RpcError('CANCELLED', 'The pre-flight checks were cancelled.');
    checks.push({ id: 'target-checks', title: 'Versions and free space', status: 'warn', detail: `Could not check: ${messageOf(e)}` });
  }
  return { checks, ok: checks.every((c) => c.status !== 'fail') };
}
