/**
 * The agent on each host, as the host page shows it: its status (agent.status), and the install /
 * upgrade / remove tasks with their live progress line.
 */
import { create } from 'zustand';
import type { AgentStatus } from '../../shared/contract/index.js';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo, type ErrorInfo } from '../app/errors';
import { toast } from '../app/useToastStore';

export type AgentAction = 'install' | 'upgrade' | 'remove';

interface HostAgent {
  status: AgentStatus | null;
  error: ErrorInfo | null;
  loading: boolean;
  /** A running install/upgrade/remove and its latest progress message. */
  busy: { action: AgentAction; message: string; fraction: number | null } | null;
}

interface AgentStore {
  byHost: Record<string, HostAgent>;
  load(hostId: string): Promise<void>;
  run(hostId: string, hostName: string, action: AgentAction, purge?: boolean): Promise<void>;
}

const empty: HostAgent = { status: null, error: null, loading: false, busy: null };
const DONE: Record<AgentAction, string> = { install: 'installed', upgrade: 'upgraded', remove: 'removed' };

export const useAgentStore = create<AgentStore>((set, get) => {
  const patch = (hostId: string, p: Partial<HostAgent>) => set((s) => ({ byHost: { ...s.byHost, [hostId]: { ...(s.byHost[hostId] ?? empty), ...p } } }));
  return {
    byHost: {},
    async load(hostId) {
      patch(hostId, { loading: true });
      try {
        patch(hostId, { status: await requireClient().agent.status({ hostId }), error: null, loading: false });
      } catch (e) {
        patch(hostId, { error: toErrorInfo(e), loading: false });
      }
    },
    async run(hostId, hostName, action, purge = false) {
      if (get().byHost[hostId]?.busy) return;
      const client = requireClient();
      patch(hostId, { busy: { action, message: 'Starting…', fraction: null } });
      let unlisten = () => {};
      try {
        const started = action === 'remove' ? await client.agent.remove({ hostId, purge }) : await client.agent[action]({ hostId });
        unlisten = client.onTaskEvents(started.taskId, (events) => {
          const last = events.filter((e) => e.type === 'progress').pop();
          if (last?.type === 'progress') patch(hostId, { busy: { action, message: last.message, fraction: last.fraction } });
        });
        await started.result;
        toast({ tone: 'success', title: `Agent ${DONE[action]}`, message: `on ${hostName}` });
      } catch (e) {
        toast({ tone: 'danger', title: `Could not ${action} the agent on ${hostName}`, message: toErrorInfo(e).message });
      } finally {
        unlisten();
        patch(hostId, { busy: null });
        void get().load(hostId);
      }
    },
  };
});
