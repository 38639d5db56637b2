import type { Freshness } from '../../shared/staleness.js';
import type { Tone } from '../components';

export const FRESH: Record<Freshness, { tone: Tone; label: string }> = {
  fresh: { tone: 'success', label: 'on time' },
  late: { tone: 'warning', label: 'late' },
  stale: { tone: 'danger', label: 'stale' },
  never: { tone: 'danger', label: 'never backed up' },
};
