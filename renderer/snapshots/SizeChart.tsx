import { formatBytes } from '../app/format';
import { lowerBound, type TimeWindow, type TimelineRef } from './timelineModel';
import type { SnapshotSummary } from '../../shared/contract/index.js';

interface Props {
  refs: readonly TimelineRef[];
  window: TimeWindow;
  summaryOf: (r: TimelineRef) => SnapshotSummary | undefined;
  /** Re-render when summaries arrive. */
  version: number;
}

const W = 1000;
const H = 64;
const BUCKETS = 100;

/**
 * Stored bytes written per period across the axis window, as bars (hand-drawn SVG, no chart
 * library). Snapshots whose summary has not loaded yet show as a faint stub, so a half-loaded
 * chart never reads as "nothing was stored that day".
 */
export function SizeChart({ refs, window: w, summaryOf }: Props) {
  const span = w.end - w.start;
  const stored = new Array<number>(BUCKETS).fill(0);
  const unknown = new Array<number>(BUCKETS).fill(0);
  for (let i = lowerBound(refs, w.start); i < refs.length && refs[i]!.t < w.end; i++) {
    const r = refs[i]!;
    const b = Math.min(BUCKETS - 1, Math.floor(((r.t - w.start) / span) * BUCKETS));
    const s = summaryOf(r);
    if (s) stored[b] = stored[b]! + s.storedBytes;
    else unknown[b] = unknown[b]! + 1;
  }
  const max = Math.max(1, ...stored);
  const total = stored.reduce((a, b) => a + b, 0);
  const bw = W / BUCKETS;
  return (
    <div className="size-chart" data-testid="size-chart">
      <div className="size-chart-legend">
        <span>Stored per {describeBucket(span / BUCKETS)}</span>
        <span className="mono">peak {formatBytes(max === 1 ? 0 : max)} · {formatBytes(total)} in view</span>
      </div>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`Stored size over time: ${formatBytes(total)} in view`}>
        <line x1={0} x2={W} y1={H - 0.5} y2={H - 0.5} className="size-chart-base" />
        {stored.map((v, i) =>
          v > 0 ? (
            <rect key={i} x={i * bw + 1} width={bw - 2} y={H - Math.max(2, (v / max) * (H - 4))} height={Math.max(2, (v / max) * (H - 4))} className="size-chart-bar">
              <title>{formatBytes(v)}</title>
            </rect>
          ) : unknown[i]! > 0 ? (
            <rect key={i} x={i * bw + 1} width={bw - 2} y={H - 6} height={6} className="size-chart-pending" />
          ) : null,
        )}
      </svg>
    </div>
  );
}

function describeBucket(ms: number): string {
  const h = ms / 3600_000;
  if (h < 1) return `${Math.max(1, Math.round(h * 60))} min`;
  if (h < 24) return `${Math.round(h)} h`;
  const d = h / 24;
  return d < 1.5 ? 'day' : `${Math.round(d)} days`;
}
