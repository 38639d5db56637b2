import { create } from 'zustand';
import type { BackupResult, BackupRunInput, Manifest, SnapshotFiles, SnapshotSummary, SnapshotTrust, SourceSpec, VerifyResult } from '../../shared/contract/index.js';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo, type ErrorInfo } from '../app/errors';

/** A task started from the details page (verify or back up), with its live progress. */
export interface PageTask<R> {
  running: boolean;
  fraction: number | null;
  message: string;
  result: R | null;
  error: ErrorInfo | null;
  taskId: string | null;
}

const idle = <R,>(): PageTask<R> => ({ running: false, fraction: null, message: '', result: null, error: null, taskId: null });

interface DirState {
  loading: boolean;
  data: SnapshotFiles | null;
  error: ErrorInfo | null;
}

interface SnapshotStore {
  key: string | null;
  manifest: Manifest | null;
  /** Who signed it, and whether this console trusts that writer for its host. */
  trust: SnapshotTrust | null;
  summary: SnapshotSummary | null;
  loading: boolean;
  error: ErrorInfo | null;
  /** "source/dir" → that directory's listing. */
  dirs: Record<string, DirState>;
  verify: PageTask<VerifyResult>;
  backup: PageTask<BackupResult>;
  load(repositoryId: string, snapshotId: string): Promise<void>;
  loadDir(source: string, dir: string): Promise<void>;
  runVerify(hostId: string): Promise<void>;
  runBackup(): Promise<void>;
}

export const dirKey = (source: string, dir: string) => `${source}/${dir}`;

/**
 * "Back up now" for the set a snapshot came from: the saved set of that name when there is one,
 * otherwise an ad-hoc backup of the same host and sources, filed under the same set name.
 */
export function sourceSpecOf(s: Manifest['sources'][number]): SourceSpec | null {
  const o = s.origin;
  switch (s.kind) {
    case 'volume':
      return o.volume ? { kind: 'volume', name: s.name, volume: o.volume } : null;
    case 'postgres':
      if (!o.container) return null;
      return s.format === 'pg-custom' && o.database
        ? { kind: 'postgres', name: s.name, container: o.container, mode: 'database', database: o.database, user: 'postgres' }
        : { kind: 'postgres', name: s.name, container: o.container, mode: 'dumpall', user: 'postgres' };
    case 'mariadb':
    case 'mongo':
      return o.container ? { kind: s.kind, name: s.name, container: o.container } : null;
    case 'directory':
      return o.container && o.path ? { kind: 'directory', name: s.name, container: o.container, path: o.path } : null;
  }
}

export const useSnapshotStore = create<SnapshotStore>((set, get) => {
  let current: { repositoryId: string; snapshotId: string } | null = null;

  async function track<R>(field: 'verify' | 'backup', start: () => Promise<{ taskId: string; result: Promise<R> }>) {
    const client = requireClient();
    set({ [field]: { ...idle<R>(), running: true, message: 'Starting…' } } as Partial<SnapshotStore>);
    let unlisten = () => {};
    try {
      const { taskId, result } = await start();
      set({ [field]: { ...(get()[field] as PageTask<R>), taskId } } as Partial<SnapshotStore>);
      unlisten = client.onTaskEvents(taskId, (events) => {
        const last = events.filter((e) => e.type === 'progress').pop();
        if (last && last.type === 'progress') set({ [field]: { ...(get()[field] as PageTask<R>), fraction: last.fraction, message: last.message } } as Partial<SnapshotStore>);
      });
      const out = await result;
      set({ [field]: { ...(get()[field] as PageTask<R>), running: false, fraction: 1, result: out } } as Partial<SnapshotStore>);
    } catch (e) {
      set({ [field]: { ...(get()[field] as PageTask<R>), running: false, error: toErrorInfo(e) } } as Partial<SnapshotStore>);
    } finally {
      unlisten();
    }
  }

  return {
    key: null,
    manifest: null,
    trust: null,
    summary: null,
    loading: false,
    error: null,
    dirs: {},
    verify: idle(),
    backup: idle(),

    async load(repositoryId, snapshotId) {
      const key = `${repositoryId}/${snapshotId}`;
      const fresh = get().key !== key;
      current = { repositoryId, snapshotId };
      set({ key, loading: true, error: null, ...(fresh ? { manifest: null, trust: null, summary: null, dirs: {}, verify: idle(), backup: idle() } : {}) });
      try {
        const client = requireClient();
        const manifest = await client.snapshots.get({ repositoryId, id: snapshotId });
        if (get().key !== key) return;
        set({ manifest, loading: false });
        void client.snapshots.trust({ repositoryId, id: snapshotId }).then((trust) => get().key === key && set({ trust }), () => undefined);
        // The summary carries the verification record; it may not be built yet on an old backend.
        const t = Date.parse(manifest.startedAt);
        const sums = await client.snapshots
          .summaries({ repositoryId, set: manifest.set, from: new Date(t - 86400_000).toISOString(), to: new Date(Date.parse(manifest.completedAt) + 86400_000).toISOString(), limit: 5000 })
          .catch(() => null);
        if (get().key === key) set({ summary: sums?.items.find((s) => s.id === snapshotId) ?? null });
      } catch (e) {
        if (get().key === key) set({ loading: false, error: toErrorInfo(e) });
      }
    },

    async loadDir(source, dir) {
      if (!current) return;
      const k = dirKey(source, dir);
      const have = get().dirs[k];
      if (have?.loading || have?.data) return;
      const { repositoryId, snapshotId } = current;
      set({ dirs: { ...get().dirs, [k]: { loading: true, data: null, error: null } } });
      try {
        const data = await requireClient().snapshots.files({ repositoryId, snapshotId, source, dir, limit: 2000 });
        set({ dirs: { ...get().dirs, [k]: { loading: false, data, error: null } } });
      } catch (e) {
        set({ dirs: { ...get().dirs, [k]: { loading: false, data: null, error: toErrorInfo(e) } } });
      }
    },

    async runVerify(hostId) {
      if (!current) return;
      const { repositoryId, snapshotId } = current;
      await track<VerifyResult>('verify', () => requireClient().verify.run({ repositoryId, snapshotId, hostId }));
      // The new verification record changes the badge.
      if (get().key === `${repositoryId}/${snapshotId}`) void get().load(repositoryId, snapshotId);
    },

    async runBackup() {
      const m = get().manifest;
      if (!m || !current) return;
      const { repositoryId } = current;
      await track<BackupResult>('backup', async () => {
        const client = requireClient();
        const saved = (await client.backupSets.list({})).find((s) => s.name === m.set && s.repositoryId === repositoryId) ?? (await client.backupSets.list({})).find((s) => s.name === m.set);
        let input: BackupRunInput;
        if (saved) input = { setId: saved.id };
        else {
          const sources = m.sources.map(sourceSpecOf).filter((s): s is SourceSpec => !!s);
          if (!sources.length) throw Object.assign(new Error('This snapshot does not say enough about its sources to back them up again.'), { code: 'INVALID_INPUT' });
          input = { hostId: m.sourceHost.id, repositoryId, sources, set: m.set, tags: m.tags };
        }
        return client.backup.run(input);
      });
    },
  };
});
