import { ArchiveRestore, DatabaseBackup, ShieldCheck, Undo2 } from 'lucide-react';
import type { OperationKind, OperationState, OperationStepView } from '../../shared/contract/index.js';
import type { Tone } from '../components';

const STATE_LABEL: Record<OperationState, string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  'rolled-back': 'Rolled back',
  failed: 'Failed',
  interrupted: 'Interrupted',
  'rollback-failed': 'Rollback failed',
  cancelled: 'Cancelled',
};

const STATE_TONE: Record<OperationState, Tone> = {
  running: 'info',
  succeeded: 'success',
  'rolled-back': 'warning',
  failed: 'danger',
  interrupted: 'warning',
  'rollback-failed': 'danger',
  cancelled: 'neutral',
};

export const stateLabel = (s: OperationState) => STATE_LABEL[s];
export const stateTone = (s: OperationState): Tone => STATE_TONE[s];
export const OPERATION_STATES = Object.keys(STATE_LABEL) as OperationState[];

const KIND_LABEL: Record<OperationKind | 'rollback', string> = { backup: 'Backup', restore: 'Restore', verify: 'Verify', rollback: 'Rollback' };
export const kindLabel = (k: OperationKind | 'rollback') => KIND_LABEL[k];

/** One icon per kind, used in the list, the operation page and the audit trail. */
export function KindIcon({ kind, size = 16 }: { kind: OperationKind | 'rollback'; size?: number }) {
  const Icon = kind === 'backup' ? DatabaseBackup : kind === 'restore' ? ArchiveRestore : kind === 'verify' ? ShieldCheck : Undo2;
  return <Icon size={size} aria-label={KIND_LABEL[kind]} className={`op-kind-icon op-kind-${kind}`} />;
}

/** Restore plan steps and backup steps, in words a person would use. */
const STEP_LABEL: Record<string, string> = {
  preflight: 'Pre-flight checks',
  'stop-users': 'Stop containers',
  'safety-copy': 'Safety copy',
  restore: 'Restore',
  verify: 'Verify',
  restart: 'Restart containers',
  copy: 'Copy',
  manifest: 'Write manifest',
  rollback: 'Roll back',
};
export const stepLabel = (kind: string) => STEP_LABEL[kind] ?? kind.charAt(0).toUpperCase() + kind.slice(1).replace(/-/g, ' ');

export const isEnded = (s: OperationState) => s !== 'running';
export type StepState = OperationStepView['state'];
