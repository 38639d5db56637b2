import { create } from 'zustand';
import type { HostInput } from '../../shared/contract/index.js';

/** Which host dialog is open. They open from several places (sidebar, overview, host page). */
interface HostDialogsStore {
  /** Add-host dialog, optionally prefilled (local engine, ~/.ssh/config import). */
  add: { prefill?: HostInput } | null;
  editHostId: string | null;
  removeHostId: string | null;
  importOpen: boolean;
  openAdd(prefill?: HostInput): void;
  openEdit(hostId: string): void;
  openRemove(hostId: string): void;
  openImport(): void;
  closeAll(): void;
}

const closed = { add: null, editHostId: null, removeHostId: null, importOpen: false };

export const useHostDialogsStore = create<HostDialogsStore>((set) => ({
  ...closed,
  openAdd: (prefill) => set({ ...closed, add: { prefill } }),
  openEdit: (hostId) => set({ ...closed, editHostId: hostId }),
  openRemove: (hostId) => set({ ...closed, removeHostId: hostId }),
  openImport: () => set({ ...closed, importOpen: true }),
  closeAll: () => set(closed),
}));
