import { create } from 'zustand';
import type { PitrCluster } from '../../shared/contract/index.js';
import { requireClient } from '../app/useConnectionStore';

/** One cluster's recoverable windows, as the timeline draws them (a band per cluster). */
export interface PitrBand {
  key: string;
  repositoryId: string;
  cluster: PitrCluster;
  /** "shop-db-1 on production" */
  label: string;
  windows: { from: number; to: number }[];
}

interface PitrStore {
  bands: PitrBand[];
  /** Archives with no base backup a trusted writer signed: nothing to draw, only a warning. */
  untrusted: { key: string; cluster: string; problems: number }[];
  /** Reads the point-in-time archives of these repositories; a repository that cannot be read has none (the timeline says so elsewhere). */
  load(repositoryIds: string[]): Promise<void>;
}

let generation = 0;

/** The recoverable windows of PostgreSQL point-in-time archives (docs/pitr.md) in the repositories on show. */
export const usePitrStore = create<PitrStore>((set) => ({
  bands: [],
  untrusted: [],
  async load(repositoryIds) {
    const mine = ++generation;
    const client = requireClient();
    const all = await Promise.all(
      repositoryIds.map((repositoryId) =>
        client.pitr.status({ repositoryId }).then(
          (s) => s.clusters.map((c) => ({ repositoryId, c })),
          () => [],
        ),
      ),
    );
    if (mine !== generation) return;
    const found = all.flat();
    set({
      untrusted: found.filter(({ c }) => c.bases === 0 && c.problems.length > 0).map(({ repositoryId, c }) => ({ key: `${repositoryId}/${c.cluster}`, cluster: c.cluster, problems: c.problems.length })),
      bands: found.filter(({ c }) => c.bases > 0).map(({ repositoryId, c }) => ({
        key: `${repositoryId}/${c.cluster}`,
        repositoryId,
        cluster: c,
        label: `${c.container || `cluster ${c.cluster}`}${c.hostName ? ` on ${c.hostName}` : ''}`,
        windows: c.windows.map((w) => ({ from: Date.parse(w.from), to: Date.parse(w.to) })),
      })),
    });
  },
}));
