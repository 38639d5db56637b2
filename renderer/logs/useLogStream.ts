import { useEffect, useRef, useState } from 'react';
import { requireClient } from '../app/useConnectionStore';
import { appendBounded, MAX_LINES, type LogEntry } from './logBuffer';
import type { LogsTarget } from './useLogsStore';

export type StreamStatus = { state: 'following' } | { state: 'ended'; error?: { code: string; message: string } };

interface Buffer {
  lines: readonly LogEntry[];
  /** Lines received since the stream started (including those since dropped from the buffer). */
  received: number;
  /** Lines the server skipped because we fell behind (it keeps its queue bounded too). */
  skippedByServer: number;
}

const EMPTY: Buffer = { lines: [], received: 0, skippedByServer: 0 };
const TAIL = 500;

/**
 * Follows a container's output into a bounded buffer. Items are collected as they arrive and
 * committed at most once per animation frame — one React update per frame however hard the
 * container floods. The pending queue is bounded too (a hidden window gets no frames).
 */
export function useLogStream(target: LogsTarget, generation: number) {
  const [buffer, setBuffer] = useState<Buffer>(EMPTY);
  const [status, setStatus] = useState<StreamStatus>({ state: 'following' });
  const pending = useRef<LogEntry[]>([]);

  useEffect(() => {
    let seq = 0;
    let frame = 0;
    let skipped = 0;
    let overflow = 0;
    pending.current = [];
    setBuffer(EMPTY);
    setStatus({ state: 'following' });

    const flush = () => {
      frame = 0;
      const batch = pending.current;
      const extra = overflow;
      const skip = skipped;
      pending.current = [];
      overflow = 0;
      skipped = 0;
      if (!batch.length && !skip) return;
      setBuffer((b) => ({ lines: appendBounded(b.lines, batch), received: b.received + batch.length + extra, skippedByServer: b.skippedByServer + skip }));
    };

    const sub = requireClient().logs.follow(
      { hostId: target.hostId, containerId: target.containerId, tail: TAIL },
      {
        onItems(items, info) {
          const q = pending.current;
          for (const it of items) q.push({ seq: seq++, ts: it.ts, stream: it.stream, line: it.line });
          if (q.length > MAX_LINES) overflow += q.splice(0, q.length - MAX_LINES).length;
          if (info?.dropped) skipped += info.dropped;
          if (!frame) frame = requestAnimationFrame(flush);
        },
        onEnd(error) {
          if (frame) cancelAnimationFrame(frame);
          flush();
          setStatus({ state: 'ended', error });
        },
      },
    );
    return () => {
      sub.unsubscribe();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [target.hostId, target.containerId, generation]);

  const clear = () => setBuffer((b) => ({ ...b, lines: [] }));
  return { ...buffer, status, clear };
}
