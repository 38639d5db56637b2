import { create } from 'zustand';

export type ThemeMode = 'system' | 'light' | 'dark';
const KEY = 'hindsight.theme';
const media = typeof window !== 'undefined' ? window.matchMedia('(prefers-color-scheme: dark)') : null;

function readMode(): ThemeMode {
  try {
    const v = localStorage.getItem(KEY);
    if (v === 'light' || v === 'dark' || v === 'system') return v;
  } catch {
    /* storage may be unavailable (file:// quirks, privacy settings): fall back to the system */
  }
  return 'system';
}

function resolve(mode: ThemeMode): 'light' | 'dark' {
  if (mode !== 'system') return mode;
  return media?.matches === false ? 'light' : 'dark';
}

interface ThemeStore {
  mode: ThemeMode;
  resolved: 'light' | 'dark';
  setMode(mode: ThemeMode): void;
}

export const useThemeStore = create<ThemeStore>((set) => ({
  mode: readMode(),
  resolved: resolve(readMode()),
  setMode(mode) {
    try {
      localStorage.setItem(KEY, mode);
    } catch {
      /* not persisted, still applied */
    }
    set({ mode, resolved: resolve(mode) });
  },
}));

/** Applies the theme to <html> and follows the OS while the mode is "system". Call once at start. */
export function installTheme(): void {
  const apply = () => {
    document.documentElement.dataset.theme = useThemeStore.getState().resolved;
  };
  apply();
  useThemeStore.subscribe(apply);
  media?.addEventListener('change', () => {
    const { mode } = useThemeStore.getState();
    if (mode === 'system') useThemeStore.setState({ resolved: resolve('system') });
  });
}
