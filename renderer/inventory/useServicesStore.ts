import { create } from 'zustand';
import type { ActionOutcome, ContainerAction, Host } from '../../shared/contract/index.js';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo } from '../app/errors';
import { toast } from '../app/useToastStore';
import { useInventoryStore } from './useInventoryStore';

export interface StackRun {
  action: ContainerAction;
  fraction: number | null;
  message: string;
}

/** An action waiting for the user to confirm it (stopping services on a protected host). */
export type PendingConfirm =
  | { kind: 'container'; host: Host; containerId: string; name: string; action: ContainerAction }
  | { kind: 'stack'; host: Host; project: string; action: ContainerAction };

interface ServicesStore {
  /** "hostId/containerId" → the action running on it. */
  pending: Record<string, ContainerAction>;
  /** "hostId/project" → progress of a services.stack task. */
  stacks: Record<string, StackRun>;
  confirm: PendingConfirm | null;
  request(req: PendingConfirm): void;
  confirmPending(): void;
  cancelPending(): void;
}

const PAST: Record<ContainerAction, string> = { start: 'started', stop: 'stopped', restart: 'restarted' };
export const containerKey = (hostId: string, id: string) => `${hostId}/${id}`;

/** Stopping (or restarting, which stops first) a protected host's service is confirmed first. */
const needsConfirm = (req: PendingConfirm) => req.host.protected && req.action !== 'start';

export const useServicesStore = create<ServicesStore>((set, get) => {
  const setPending = (key: string, action: ContainerAction | null) => {
    const pending = { ...get().pending };
    if (action) pending[key] = action;
    else delete pending[key];
    set({ pending });
  };
  const setStack = (key: string, run: StackRun | null) => {
    const stacks = { ...get().stacks };
    if (run) stacks[key] = run;
    else delete stacks[key];
    set({ stacks });
  };

  async function runContainer(host: Host, containerId: string, name: string, action: ContainerAction) {
    const key = containerKey(host.id, containerId);
    setPending(key, action);
    try {
      const out = await requireClient().services.container({ hostId: host.id, containerId, action });
      if (out.ok) toast({ tone: 'success', title: `${name} ${PAST[action]}`, message: `on ${host.name}` });
      else toast({ tone: 'danger', title: `Could not ${action} ${name}`, message: out.error ?? 'The engine refused.' });
    } catch (e) {
      toast({ tone: 'danger', title: `Could not ${action} ${name}`, message: toErrorInfo(e).message });
    } finally {
      setPending(key, null);
      // inventory.onChanged will follow from Docker's events; refetching now makes the pill move without waiting.
      void useInventoryStore.getState().load(host.id);
    }
  }

  async function runStack(host: Host, project: string, action: ContainerAction) {
    const key = containerKey(host.id, project);
    const client = requireClient();
    setStack(key, { action, fraction: null, message: `Starting to ${action}…` });
    let unlisten = () => {};
    try {
      const { taskId, result } = await client.services.stack({ hostId: host.id, project, action });
      unlisten = client.onTaskEvents(taskId, (events) => {
        const last = events.filter((e) => e.type === 'progress').pop();
        if (last && last.type === 'progress') setStack(key, { action, fraction: last.fraction, message: last.message });
      });
      const { outcomes } = await result;
      reportStack(host, project, action, outcomes);
    } catch (e) {
      toast({ tone: 'danger', title: `Could not ${action} stack ${project}`, message: toErrorInfo(e).message });
    } finally {
      unlisten();
      setStack(key, null);
      void useInventoryStore.getState().load(host.id);
    }
  }

  function dispatch(req: PendingConfirm) {
    if (req.kind === 'container') void runContainer(req.host, req.containerId, req.name, req.action);
    else void runStack(req.host, req.project, req.action);
  }

  return {
    pending: {},
    stacks: {},
    confirm: null,
    request(req) {
      if (needsConfirm(req)) return set({ confirm: req });
      dispatch(req);
    },
    confirmPending() {
      const req = get().confirm;
      set({ confirm: null });
      if (req) dispatch(req);
    },
    cancelPending() {
      set({ confirm: null });
    },
  };
});

function reportStack(host: Host, project: string, action: ContainerAction, outcomes: ActionOutcome[]) {
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length === 0) {
    toast({ tone: 'success', title: `Stack ${project} ${PAST[action]}`, message: `${outcomes.length} container${outcomes.length === 1 ? '' : 's'} on ${host.name}` });
  } else {
    toast({
      tone: 'danger',
      title: `Stack ${project}: ${failed.length} of ${outcomes.length} did not ${action}`,
      message: failed.map((o) => `${o.name}: ${o.error ?? 'failed'}`).join('\n'),
    });
  }
}
