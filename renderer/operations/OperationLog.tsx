import { useLayoutEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDownToLine } from 'lucide-react';
import { Button } from '../components';
import { formatLogTime } from '../app/format';
import type { LiveLogLine } from './useOperationLive';

/** The height of a one-line row; wrapped lines (long errors) are measured as they render. */
const ROW = 20;
const STICK_PX = ROW * 2;
const MIN_HEIGHT = 200;
const MAX_HEIGHT = 460;

/**
 * The operation's log, virtualized (a long backup logs thousands of lines), long lines wrapped rather than cut: follows the end while
 * the user is at the bottom, stays put when they scrolled up to read. Lines only ever append here
 * (the log of one operation is bounded on disk), so keeping the scroll offset is enough.
 */
export function OperationLog({ lines, running }: { lines: readonly LiveLogLine[]; running: boolean }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [atBottom, setAtBottom] = useState(true);
  const v = useVirtualizer({ count: lines.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 30 });

  const lastTop = useRef(0);
  const total = v.getTotalSize();

  // Again when the measured size changes: wrapped lines grow after they render.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines, total]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const near = el.scrollHeight - el.scrollTop - el.clientHeight <= STICK_PX;
    // Only the user scrolling up stops the following; content growing under us does not.
    if (near) stick.current = true;
    else if (el.scrollTop < lastTop.current) stick.current = false;
    lastTop.current = el.scrollTop;
    if (stick.current !== atBottom) setAtBottom(stick.current);
  };

  return (
    // As tall as its lines up to a cap (a short log does not leave a big empty box); then it scrolls.
    <div className="log-frame op-log" style={{ height: Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, total + 2)) }}>
      <div ref={scrollRef} className="log-scroll" onScroll={onScroll} role="log" aria-label="Operation log" tabIndex={0} data-testid="operation-log">
        {lines.length === 0 ? (
          <div className="log-empty">{running ? 'Waiting for the first log line…' : 'This operation logged nothing.'}</div>
        ) : (
          <div className="log-canvas" style={{ height: total }}>
            {v.getVirtualItems().map((item) => {
              const l = lines[item.index]!;
              return (
                <div key={item.index} ref={v.measureElement} data-index={item.index} className={`log-line op-log-line op-log-${l.level}`} style={{ transform: `translateY(${item.start}px)` }}>
                  <span className="log-ts" title={l.ts}>
                    {formatLogTime(l.ts)}
                  </span>
                  <span className="log-text">{l.message}</span>
                </div>
              );
            })}
          </div>
        )}
      </div>
      {!atBottom && lines.length > 0 && (
        <Button
          size="sm"
          variant="primary"
          className="log-jump"
          icon={<ArrowDownToLine size={12} />}
          onClick={() => {
            stick.current = true;
            setAtBottom(true);
            const el = scrollRef.current;
            if (el) el.scrollTop = el.scrollHeight;
          }}
        >
          Jump to latest
        </Button>
      )}
    </div>
  );
}
