import type { HostRole } from '../../shared/contract/index.js';
import type { Tone } from '../components';

/** Role colours are a safety cue: production must never look like UAT. */
export const ROLE_TONE: Record<HostRole, Tone> = {
  production: 'danger',
  uat: 'info',
  science: 'purple',
  backup: 'neutral',
  other: 'neutral',
};

export const ROLE_OPTIONS: ReadonlyArray<{ value: HostRole; label: string }> = [
  { value: 'production', label: 'Production' },
  { value: 'backup', label: 'Backup server' },
  { value: 'uat', label: 'UAT' },
  { value: 'science', label: 'Science / staging' },
  { value: 'other', label: 'Other' },
];
