import { useEffect, useMemo, useRef, useState } from 'react';
import type { OperationDetail, OperationLogLine, OperationProgress, TaskEvent } from '../../shared/contract/index.js';
import { useConnectionStore } from '../app/useConnectionStore';
import { toErrorInfo, type ErrorInfo } from '../app/errors';
import { addSample, bytesPerSecond, type RateSample } from './transferRate';
import { useOperationsStore } from './useOperationsStore';

type TaskEnd = Extract<TaskEvent, { type: 'done' | 'failed' }>;
export type LiveLogLine = Omit<OperationLogLine, 'seq'>;

export interface OperationLive {
  operationId: string | null;
  detail: OperationDetail | null;
  /** The journal's state, from the list until the detail has loaded. */
  state: OperationDetail['state'] | null;
  taskId: string | null;
  progress: OperationProgress | null;
  /** Bytes per second of the current step/source, over the last few seconds. */
  rate: number | null;
  logs: LiveLogLine[];
  /** The task's own end (before the journal says so, and for tasks that have no journal). */
  taskEnd: TaskEnd | null;
  error: ErrorInfo | null;
}

const lineKey = (l: LiveLogLine) => `${l.ts}\u0000${l.message}`;

/**
 * Everything an OperationView shows, kept live: the journal (operations.get, refetched on
 * operations.onChanged), the task's progress and log events while it runs (tasks.get first, to catch
 * up after a reload), and the persisted log (operations.logs) for what happened before this window
 * looked. Given only a taskId, the operation is found in the list by its taskId once its journal exists.
 */
export function useOperationLive({ operationId, taskId }: { operationId?: string; taskId?: string }): OperationLive {
  const client = useConnectionStore((s) => (s.state.status === 'ready' ? s.state.client : null));
  const list = useOperationsStore((s) => s.list);
  // A summary carries its taskId only while it runs: once found, the id is kept for good.
  const foundId = taskId ? (list?.find((o) => o.taskId === taskId)?.id ?? null) : null;
  const [pinnedId, setPinnedId] = useState<string | null>(null);
  if (foundId && foundId !== pinnedId) setPinnedId(foundId);
  const resolvedId = operationId ?? foundId ?? pinnedId;
  const changeCount = useOperationsStore((s) => (resolvedId ? (s.changes[resolvedId] ?? 0) : 0));
  const summary = resolvedId ? list?.find((o) => o.id === resolvedId) : undefined;

  const [detail, setDetail] = useState<OperationDetail | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [persisted, setPersisted] = useState<LiveLogLine[]>([]);
  const [live, setLive] = useState<LiveLogLine[]>([]);
  const [progress, setProgress] = useState<OperationProgress | null>(null);
  const [taskEnd, setTaskEnd] = useState<TaskEnd | null>(null);
  const samples = useRef<{ key: string; list: RateSample[] }>({ key: '', list: [] });
  const [rate, setRate] = useState<number | null>(null);

  // The list is what resolves a taskId; make sure it is there.
  useEffect(() => {
    if (client && !list) void useOperationsStore.getState().load();
  }, [client, list]);

  const state = detail?.state ?? summary?.state;
  const activeTaskId = taskId ?? detail?.taskId ?? summary?.taskId ?? null;

  // The journal: on open, and whenever the backend says this operation changed.
  useEffect(() => {
    if (!client || !resolvedId) return;
    let stale = false;
    client.operations.get({ id: resolvedId }).then(
      (d) => {
        if (stale) return;
        setDetail(d);
        setError(null);
        if (d.progress) setProgress((p) => p ?? d.progress ?? null);
      },
      (e) => !stale && setError(toErrorInfo(e)),
    );
    return () => {
      stale = true;
    };
  }, [client, resolvedId, changeCount, taskEnd]);

  // The persisted log: once on open, and in full again when it ends (the live lines are then in it).
  const ended = !!state && state !== 'running';
  useEffect(() => {
    if (!client || !resolvedId) return;
    let stale = false;
    client.operations.logs({ id: resolvedId, afterSeq: -1, limit: 20_000 }).then(
      (lines) => {
        if (stale) return;
        setPersisted(lines);
        if (ended) setLive([]);
      },
      () => {},
    );
    return () => {
      stale = true;
    };
  }, [client, resolvedId, ended]);

  // The task while it runs: catch up with tasks.get, then follow its events.
  useEffect(() => {
    if (!client || !activeTaskId) return;
    let stale = false;
    const onProgress = (p: OperationProgress) => {
      setProgress(p);
      if (p.bytesDone == null) return;
      const key = `${p.step ?? ''}/${p.source ?? ''}`;
      const prev = samples.current.key === key ? samples.current.list : [];
      samples.current = { key, list: addSample(prev, { at: Date.now(), bytes: p.bytesDone }) };
      setRate(bytesPerSecond(samples.current.list));
    };
    const off = client.onTaskEvents(activeTaskId, (events) => {
      if (stale) return;
      const lines: LiveLogLine[] = [];
      for (const e of events) {
        if (e.type === 'progress') onProgress(e);
        else if (e.type === 'log') lines.push({ ts: e.ts, level: e.level, message: e.message });
        else setTaskEnd(e);
      }
      if (lines.length) setLive((l) => [...l, ...lines]);
    });
    client.tasks.get({ taskId: activeTaskId }).then(
      (t) => {
        if (stale) return;
        if (t.progress) onProgress(t.progress);
        if (t.end) setTaskEnd(t.end);
        const caught = t.logs.map((e) => ({ ts: e.ts, level: e.level, message: e.message }));
        setLive((l) => mergeLines(caught, l));
      },
      () => {},
    );
    return () => {
      stale = true;
      off();
    };
  }, [client, activeTaskId]);

  const logs = useMemo(() => mergeLines(persisted, live), [persisted, live]);
  const shownProgress = state && state !== 'running' ? (detail?.progress ?? progress) : (progress ?? detail?.progress ?? summary?.progress ?? null);

  return { operationId: resolvedId, detail, state: state ?? null, taskId: activeTaskId, progress: shownProgress, rate: state === 'running' || !state ? rate : null, logs, taskEnd, error };
}

/** `first` then the lines of `then` it does not already hold (the same line arrives by both ways). */
function mergeLines(first: readonly LiveLogLine[], then: readonly LiveLogLine[]): LiveLogLine[] {
  if (then.length === 0) return first as LiveLogLine[];
  if (first.length === 0) return then as LiveLogLine[];
  const seen = new Set(first.map(lineKey));
  return [...first, ...then.filter((l) => !seen.has(lineKey(l)))];
}
