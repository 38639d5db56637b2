import { create } from 'zustand';

export interface LogsTarget {
  hostId: string;
  hostName: string;
  containerId: string;
  containerName: string;
}

/** Which container's logs the drawer shows (one at a time) and how big the drawer is. */
interface LogsStore {
  target: LogsTarget | null;
  maximized: boolean;
  open(target: LogsTarget): void;
  close(): void;
  toggleMaximized(): void;
}

export const useLogsStore = create<LogsStore>((set, get) => ({
  target: null,
  maximized: false,
  open: (target) => set({ target }),
  close: () => set({ target: null, maximized: false }),
  toggleMaximized: () => set({ maximized: !get().maximized }),
}));
