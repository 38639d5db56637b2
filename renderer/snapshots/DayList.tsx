import { useEffect, useImperativeHandle, useMemo, useRef, type Ref } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ChevronRight } from 'lucide-react';
import type { SnapshotSummary } from '../../shared/contract/index.js';
import { DATE_TIME, dateFormat, formatBytes, pluralize } from '../app/format';
import { cx } from '../components';
import { dayBounds, refKey, type ListRow, type TimelineRef } from './timelineModel';
import { VerificationBadge } from './VerificationBadge';

export interface DayListHandle {
  scrollToRef(key: string): void;
}

interface Props {
  rows: readonly ListRow[];
  summaryOf: (r: TimelineRef) => SnapshotSummary | undefined;
  colours: Map<string, string>;
  highlighted: ReadonlySet<string>;
  sourcePicks: ReadonlySet<string>;
  selected: string | null;
  showRepository: (repositoryId: string) => string | null;
  version: number;
  onOpen: (ref: TimelineRef) => void;
  /** The days on screen (plus overscan), newest first: their summaries get fetched. */
  onVisibleDays: (dayKeys: string[]) => void;
  /** The day at the top of the view (the axis follows it). */
  onTopDay?: (dayKey: string) => void;
  handle?: Ref<DayListHandle>;
}

const DAY_ROW = 34;
const SNAP_ROW = 46;

const dayTitle = (key: string) => dateFormat({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(dayBounds(key)[0]);
const clock = (t: number) => dateFormat({ hour: '2-digit', minute: '2-digit', hour12: false }).format(t);

/**
 * The day-grouped list, virtualized: only the rows in view (plus overscan) exist in the DOM, so
 * 10,000 snapshots scroll like 50. Heights are fixed per row type, so no measuring.
 */
export function DayList({ rows, summaryOf, colours, highlighted, sourcePicks, selected, showRepository, onOpen, onVisibleDays, onTopDay, handle }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.type === 'day' ? DAY_ROW : SNAP_ROW),
    overscan: 12,
  });
  const items = v.getVirtualItems();
  const days = useMemo(() => {
    const m = new Map<string, { key: string; shown: number }>();
    for (const r of rows) if (r.type === 'day') m.set(r.day.key, { key: r.day.key, shown: r.shown });
    return m;
  }, [rows]);

  useImperativeHandle(handle, () => ({
    scrollToRef(key) {
      const i = rows.findIndex((r) => r.type === 'snapshot' && refKey(r.ref) === key);
      if (i >= 0) v.scrollToIndex(i, { align: 'center' });
    },
  }));

  // Which days are on screen: a string key so the effect runs only when that set changes.
  const visible = [...new Set(items.map((it) => { const r = rows[it.index]; return r ? (r.type === 'day' ? r.day.key : r.dayKey) : ''; }))].filter(Boolean);
  const visibleKey = visible.join(',');
  useEffect(() => {
    if (visibleKey) onVisibleDays(visibleKey.split(','));
  }, [visibleKey, onVisibleDays]);

  // The day of the row at the top stays pinned above the list while its rows scroll under it.
  const offset = v.scrollOffset ?? 0;
  const top = items.find((it) => it.end > offset);
  const topRow = top ? rows[top.index] : undefined;
  const pinned = offset > 0 && topRow ? days.get(topRow.type === 'day' ? topRow.day.key : topRow.dayKey) : undefined;
  // The next day's header pushes the pinned one up as it arrives (no two headers on top of each other).
  const nextHeader = items.find((it) => it.start > offset && rows[it.index]?.type === 'day');
  const push = nextHeader ? Math.min(0, nextHeader.start - offset - DAY_ROW) : 0;
  const topDayKey = topRow ? (topRow.type === 'day' ? topRow.day.key : topRow.dayKey) : '';
  useEffect(() => {
    if (topDayKey && offset > 0) onTopDay?.(topDayKey);
    // Only when the top day changes, not on every scrolled pixel.
  }, [topDayKey]);

  return (
    <div ref={scrollRef} className="day-list" data-testid="day-list" tabIndex={-1}>
      {pinned && (
        <div className="day-row day-pinned" style={{ transform: `translateY(${push}px)` }} aria-hidden>
          <span className="day-title">{dayTitle(pinned.key)}</span>
          <span className="day-count">{pluralize(pinned.shown, 'snapshot')}</span>
        </div>
      )}
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const row = rows[item.index]!;
          const style = { transform: `translateY(${item.start}px)`, height: item.size };
          if (row.type === 'day') {
            return (
              <div key={item.key} className="day-row" style={style} data-testid="day-header">
                <span className="day-title">{dayTitle(row.day.key)}</span>
                <span className="day-count">{pluralize(row.shown, 'snapshot')}</span>
              </div>
            );
          }
          const r = row.ref;
          const key = refKey(r);
          const s = summaryOf(r);
          const repo = showRepository(r.repositoryId);
          return (
            <button
              key={item.key}
              type="button"
              className={cx('snap-row', highlighted.has(key) && 'is-asof', sourcePicks.has(key) && 'is-source-pick', key === selected && 'is-selected')}
              style={style}
              onClick={() => onOpen(r)}
              data-testid="snapshot-row"
              data-snapshot-id={r.id}
              aria-label={`Snapshot ${r.set} ${dateFormat(DATE_TIME).format(r.t)}`}
            >
              <span className="snap-swatch" style={{ background: colours.get(r.set) }} aria-hidden />
              <span className="snap-time mono">{clock(r.t)}</span>
              <span className="snap-main">
                <span className="snap-set">
                  {r.set}
                  {s && <span className="snap-host"> · {s.hostName}</span>}
                  {repo && <span className="snap-repo"> · {repo}</span>}
                </span>
                <span className="snap-sources">
                  {s ? s.sources.map((src) => `${src.name} (${src.kind})`).join(', ') : <span className="skeleton" aria-label="loading" />}
                </span>
              </span>
              <span className="snap-tags">
                {highlighted.has(key) && <span className="badge tone-warning">as of</span>}
                {sourcePicks.has(key) && <span className="badge tone-info" title="Some sources of the as-of pick come from this older snapshot">source pick</span>}
                {s?.tags.slice(0, 3).map((t) => (
                  <span key={t} className="badge tone-neutral">{t}</span>
                ))}
                {s && <VerificationBadge verification={s.verification} compact />}
              </span>
              <span className="snap-size mono">{s ? formatBytes(s.storedBytes) : ''}</span>
              <ChevronRight size={14} className="snap-chevron" aria-hidden />
            </button>
          );
        })}
      </div>
    </div>
  );
}
