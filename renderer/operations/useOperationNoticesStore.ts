import { create } from 'zustand';
import type { OperationNoticeItem } from '../components';

interface OperationNoticesStore {
  notices: OperationNoticeItem[];
  push(n: Omit<OperationNoticeItem, 'key'>): void;
  dismiss(key: number): void;
}

let nextKey = 1;
const SUCCESS_MS = 8000;
const MAX_VISIBLE = 4;

/** In-page "operation ended" notices (web mode, or where desktop notifications are not allowed). */
export const useOperationNoticesStore = create<OperationNoticesStore>((set, get) => ({
  notices: [],
  push(n) {
    const key = nextKey++;
    set({ notices: [...get().notices.filter((x) => x.operationId !== n.operationId), { ...n, key }].slice(-MAX_VISIBLE) });
    // Failures stay until dismissed: nobody should miss that a restore was rolled back.
    if (n.tone === 'success') setTimeout(() => get().dismiss(key), SUCCESS_MS);
  },
  dismiss(key) {
    set({ notices: get().notices.filter((x) => x.key !== key) });
  },
}));
