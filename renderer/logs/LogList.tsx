import { useLayoutEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDownToLine } from 'lucide-react';
import { Button } from '../components';
import { formatLogTime } from '../app/format';
import { lowerBoundSeq, type LogEntry } from './logBuffer';

const ROW = 20;
/** Within this distance of the bottom the view counts as "at the bottom" and keeps following. */
const STICK_PX = ROW * 2;

/**
 * The virtualized lines: only the rows in view exist in the DOM, so 10,000 lines cost the same as
 * 50. Follows the bottom unless the user scrolled up; then it keeps the line they were reading in
 * place even as old lines fall off the front of the bounded buffer.
 */
export function LogList({ entries, label, emptyText }: { entries: readonly LogEntry[]; label: string; emptyText: string }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const anchor = useRef<{ seq: number; offset: number } | null>(null);
  const [atBottom, setAtBottom] = useState(true);

  const v = useVirtualizer({ count: entries.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 30 });

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const near = el.scrollHeight - el.scrollTop - el.clientHeight <= STICK_PX;
    stick.current = near;
    if (near !== atBottom) setAtBottom(near);
    const top = entries[Math.floor(el.scrollTop / ROW)];
    anchor.current = top ? { seq: top.seq, offset: el.scrollTop % ROW } : null;
  };

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    if (stick.current) {
      el.scrollTop = el.scrollHeight;
    } else if (anchor.current) {
      const target = lowerBoundSeq(entries, anchor.current.seq) * ROW + anchor.current.offset;
      if (Math.abs(el.scrollTop - target) >= 1) el.scrollTop = target;
    }
  }, [entries]);

  const jump = () => {
    stick.current = true;
    setAtBottom(true);
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  return (
    <div className="log-frame">
      <div ref={scrollRef} className="log-scroll" onScroll={onScroll} role="log" aria-label={label} aria-live="off" tabIndex={0}>
        {entries.length === 0 ? (
          <div className="log-empty">{emptyText}</div>
        ) : (
          <div className="log-canvas" style={{ height: v.getTotalSize() }}>
            {v.getVirtualItems().map((item) => {
              const e = entries[item.index]!;
              return (
                <div key={e.seq} className={e.stream === 'stderr' ? 'log-line log-stderr' : 'log-line'} style={{ transform: `translateY(${item.start}px)` }}>
                  <span className="log-ts" title={e.ts}>
                    {formatLogTime(e.ts)}
                  </span>
                  <span className="log-text">{e.line}</span>
                </div>
              );
            })}
          </div>
        )}
      </div>
      {!atBottom && entries.length > 0 && (
        <Button size="sm" variant="primary" className="log-jump" icon={<ArrowDownToLine size={12} />} onClick={jump}>
          Jump to latest
        </Button>
      )}
    </div>
  );
}
