import type { ReactNode } from 'react';
import { Monitor, Moon, Sun } from 'lucide-react';
import { Segmented } from '../components';
import { useThemeStore, type ThemeMode } from './useThemeStore';

const OPTIONS: ReadonlyArray<{ value: ThemeMode; label: string; title: string; icon: ReactNode }> = [
  { value: 'system', label: '', title: 'System theme', icon: <Monitor size={13} aria-hidden /> },
  { value: 'light', label: '', title: 'Light theme', icon: <Sun size={13} aria-hidden /> },
  { value: 'dark', label: '', title: 'Dark theme', icon: <Moon size={13} aria-hidden /> },
];

export function ThemeToggle() {
  const { mode, setMode } = useThemeStore();
  return <Segmented label="Theme" hideLabel value={mode} options={OPTIONS} onValueChange={setMode} />;
}
