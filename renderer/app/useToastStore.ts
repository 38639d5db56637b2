import { create } from 'zustand';
import type { ToastItem } from '../components';

interface ToastStore {
  toasts: ToastItem[];
  push(t: Omit<ToastItem, 'id'>): void;
  dismiss(id: number): void;
}

let nextId = 1;
// Successes fade on their own; failures stay until dismissed so nobody misses an engine error.
const SUCCESS_MS = 5000;
const MAX_VISIBLE = 5;

export const useToastStore = create<ToastStore>((set, get) => ({
  toasts: [],
  push(t) {
    const id = nextId++;
    set({ toasts: [...get().toasts, { ...t, id }].slice(-MAX_VISIBLE) });
    if (t.tone !== 'danger') setTimeout(() => get().dismiss(id), SUCCESS_MS);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((x) => x.id !== id) });
  },
}));

export const toast = (t: Omit<ToastItem, 'id'>) => useToastStore.getState().push(t);
