import { create } from 'zustand';
import type { CheckResult, Host, HostInput } from '../../shared/contract/index.js';
import { explainFailure, targetOf } from './checkSteps';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo, type ErrorInfo } from '../app/errors';

/** The last connection check of a saved host; drives the sidebar's status dot. */
export type HostCheck =
  | { state: 'checking'; previous?: CheckResult }
  | { state: 'done'; result: CheckResult; at: number }
  | { state: 'error'; error: ErrorInfo; at: number };

export interface LocalEngine {
  socketPath: string;
  reachable: boolean;
  alreadyAdded: boolean;
}

interface HostsStore {
  hosts: Host[];
  loaded: boolean;
  loading: boolean;
  error: ErrorInfo | null;
  checks: Record<string, HostCheck>;
  local: LocalEngine | null;
  load(): Promise<void>;
  check(hostId: string): Promise<void>;
  discoverLocal(): Promise<void>;
  add(input: HostInput): Promise<Host>;
  update(hostId: string, patch: Partial<HostInput>): Promise<Host>;
  remove(hostId: string): Promise<void>;
}

const FIRST_CHECK_DELAY_MS = 800;

export const useHostsStore = create<HostsStore>((set, get) => ({
  hosts: [],
  loaded: false,
  loading: false,
  error: null,
  checks: {},
  local: null,

  async load() {
    set({ loading: true });
    try {
      const hosts = await requireClient().hosts.list();
      const checks = { ...get().checks };
      for (const id of Object.keys(checks)) if (!hosts.some((h) => h.id === id)) delete checks[id];
      set({ hosts, loaded: true, loading: false, error: null, checks });
      // A host we have never checked gets one check, so the sidebar dot means something.
      // No polling: the user re-checks from the host page, and a failing inventory speaks for itself.
      // A moment after the first screen has its data: each check opens an SSH connection, whose
      // handshake would otherwise compete with the screen's own first calls (bench/ui).
      setTimeout(() => {
        for (const h of get().hosts) if (!get().checks[h.id]) void get().check(h.id);
      }, FIRST_CHECK_DELAY_MS);
    } catch (e) {
      set({ loading: false, error: toErrorInfo(e) });
    }
  },

  async check(hostId) {
    const prev = get().checks[hostId];
    set({ checks: { ...get().checks, [hostId]: { state: 'checking', previous: prev?.state === 'done' ? prev.result : undefined } } });
    let next: HostCheck;
    try {
      next = { state: 'done', result: await requireClient().hosts.check({ id: hostId }), at: Date.now() };
    } catch (e) {
      next = { state: 'error', error: toErrorInfo(e), at: Date.now() };
    }
    if (get().hosts.some((h) => h.id === hostId)) set({ checks: { ...get().checks, [hostId]: next } });
  },

  async discoverLocal() {
    try {
      set({ local: await requireClient().hosts.discoverLocal() });
    } catch {
      set({ local: null }); // discovery is a convenience; its failure is not worth a banner
    }
  },

  async add(input) {
    const host = await requireClient().hosts.add(input);
    // hosts.onChanged will refetch too; doing it here makes the new host appear without waiting.
    await get().load();
    void get().discoverLocal();
    return host;
  },

  async update(hostId, patch) {
    const host = await requireClient().hosts.update({ id: hostId, patch });
    await get().load();
    return host;
  },

  async remove(hostId) {
    await requireClient().hosts.remove({ id: hostId });
    await get().load();
    void get().discoverLocal();
  },
}));

/** Sidebar dot tone + words for a host's last check (plain words, not the engine's message). */
export function describeCheck(check: HostCheck | undefined, host: Host): { tone: 'neutral' | 'success' | 'danger' | 'warning'; label: string; pulsing?: boolean } {
  if (!check) return { tone: 'neutral', label: 'Not checked yet' };
  if (check.state === 'checking') return { tone: 'neutral', label: 'Checking connection…', pulsing: true };
  if (check.state === 'error') return { tone: 'danger', label: `Check failed: ${check.error.message}` };
  const r = check.result;
  if (r.ok) return { tone: 'success', label: `Connected — Docker ${r.dockerVersion}, ${Math.round(r.latencyMs)} ms` };
  if (r.step === 'hostkey') return { tone: 'warning', label: r.hostKey?.status === 'changed' ? 'Host key changed — refused' : 'Host key not trusted yet' };
  return { tone: 'danger', label: explainFailure(r, targetOf(host.connection)).title };
}

/** Re-check when a host's page opens, unless a fresh good result is at hand. Not a polling loop. */
export function isCheckStale(check: HostCheck | undefined, maxAgeMs = 60_000): boolean {
  if (!check) return true;
  if (check.state === 'checking') return false;
  return check.state === 'error' || !check.result.ok || Date.now() - check.at > maxAgeMs;
}
