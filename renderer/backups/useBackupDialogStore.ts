import { create } from 'zustand';
import type { Host } from '../../shared/contract/index.js';

export interface BackupTarget {
  host: Host;
  /** A compose stack: back up only what belongs to it, filed under its name. */
  stack?: string;
}

interface BackupDialogStore {
  target: BackupTarget | null;
  open(target: BackupTarget): void;
  close(): void;
}

/** Which "Back up…" dialog is open (a host's, or one of its stacks'). */
export const useBackupDialogStore = create<BackupDialogStore>((set) => ({
  target: null,
  open: (target) => set({ target }),
  close: () => set({ target: null }),
}));
