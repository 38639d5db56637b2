import type { PlanView } from '../../shared/contract/index.js';

/** "daily 7, weekly 4" — a plan's retention in words. */
export const retentionWords = (p: Pick<PlanView, 'retention'>) =>
  Object.entries(p.retention)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.replace(/^keep/, '').toLowerCase()} ${v}`)
    .join(', ') || 'keep all';
