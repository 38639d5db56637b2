import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { RefreshCw } from 'lucide-react';
import { Card, ErrorBanner, IconButton, Spinner } from '../components';
import { errorDetail } from '../app/errors';
import { pluralize } from '../app/format';
import { useConnectionStore } from '../app/useConnectionStore';
import { useRouteStore } from '../app/useRouteStore';
import { useHostsStore } from '../hosts/useHostsStore';
import { AsOfForm, AsOfResultView } from './AsOfPanel';
import { DayList, type DayListHandle } from './DayList';
import { SizeChart } from './SizeChart';
import { NoRepositoryState, NoSnapshotsState } from './TimelineEmpty';
import { TimelineAxis } from './TimelineAxis';
import { TimelineFilters, ZoomControl } from './TimelineFilters';
import { TimelineLegend } from './TimelineLegend';
import { centreWindow, colourBySet, dayBounds, hasSummaryFilters, listRows, NO_FILTERS, passes, refKey, ZOOMS, type Filters, type TimeWindow, type TimelineRef } from './timelineModel';
import { summaryOf, useTimelineStore } from './useTimelineStore';
import { usePitrStore } from './usePitrStore';
import { PitrWindows } from './PitrWindows';
import { PitrRecoverDialog } from './PitrRecoverDialog';

const ALL = 'all';

/** The snapshot timeline: find a backup by date, in one repository or across all of them. */
export function SnapshotsPage({ repositoryId }: { repositoryId?: string | undefined }) {
  const client = useConnectionStore((s) => (s.state.status === 'ready' ? s.state.client : null));
  const navigate = useRouteStore((s) => s.navigate);
  const hosts = useHostsStore((s) => s.hosts);
  const st = useTimelineStore();
  const { repositories, reposLoaded, refs, days, summariesVersion: version, asOf } = st;
  const selection = repositoryId ?? ALL;
  const scope = useMemo(
    () => (selection === ALL ? repositories.map((r) => r.id) : [selection]),
    // the ids, not the objects, decide the scope — and only when it is all of them
    [selection, selection === ALL ? repositories.map((r) => r.id).join(',') : ''],
  );
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [win, setWin] = useState<TimeWindow>(() => ({ start: Date.now() - ZOOMS[2].span, end: Date.now() + 3600_000 }));
  const [selected, setSelected] = useState<string | null>(null);
  const listHandle = useRef<DayListHandle>(null);

  useEffect(() => {
    if (client) void useTimelineStore.getState().loadRepositories();
  }, [client]);
  // One repository chosen (the URL says which): listed at once, without waiting for the list of repositories.
  const ready = reposLoaded || selection !== ALL;
  useEffect(() => {
    if (client && ready && scope.length) void useTimelineStore.getState().load(scope);
  }, [client, ready, scope]);
  const bands = usePitrStore((s) => s.bands);
  const untrustedArchives = usePitrStore((s) => s.untrusted);
  // The archives' windows once the snapshots are on screen: they are drawn below them.
  const listed = !st.loading && refs.length > 0;
  useEffect(() => {
    if (client && ready && scope.length && listed) void usePitrStore.getState().load(scope);
  }, [client, ready, scope, listed]);
  useEffect(() => {
    if (!client) return;
    return client.snapshots.onChanged(({ repositoryId: id, snapshotId }) => useTimelineStore.getState().changed(id, snapshotId));
  }, [client]);

  // Once the refs are in: up to the newest snapshot, wide enough for all of them but at most a
  // week (a year of nightlies at once is a smear; the zoom is one click away), a margin at the right.
  const newest = refs.length ? refs[refs.length - 1]!.t : null;
  const oldest = refs.length ? refs[0]!.t : null;
  useEffect(() => {
    if (newest == null || oldest == null) return;
    const span = Math.min(ZOOMS[2].span, Math.max(2 * 3600_000, (newest - oldest) * 1.15));
    setWin({ start: newest - span * 0.92, end: newest + span * 0.08 });
  }, [newest, oldest]);

  const setNames = useMemo(() => [...new Set(refs.map((r) => r.set))].sort(), [refs]);
  const colours = useMemo(() => colourBySet(setNames), [setNames]);
  const byId = useCallback((r: TimelineRef) => summaryOf(r), []);
  // Arriving summaries change what passes only when a host/kind/tag filter is on: otherwise the
  // 10,000-row passes are not redone for every batch.
  const filterVersion = hasSummaryFilters(filters) ? version : 0;
  const rows = useMemo(() => listRows(days, byId, filters), [days, byId, filters, filterVersion]);
  const axisRefs = useMemo(() => refs.filter((r) => passes(r, summaryOf(r), filters)), [refs, filters, filterVersion]);
  // The axis and the size chart follow a moment later: the rows come first on screen (bench/ui's
  // first row), the drawings of thousands of snapshots in React's next, interruptible pass.
  const drawnRefs = useDeferredValue(axisRefs);
  const lanes = filters.sets.length ? filters.sets : setNames;

  // What the filters can offer: hosts and tags from the summaries seen so far and the saved sets.
  const { hostNames, tags, setHosts } = useMemo(() => {
    const hostNames = new Set<string>();
    const tags = new Set<string>();
    const setHosts = new Map<string, Set<string>>();
    const hostName = (id: string) => hosts.find((h) => h.id === id)?.name ?? id;
    for (const s of st.sets) {
      hostNames.add(hostName(s.hostId));
      s.tags.forEach((t) => tags.add(t));
      if (!setHosts.has(s.name)) setHosts.set(s.name, new Set());
      setHosts.get(s.name)!.add(hostName(s.hostId));
    }
    for (const r of refs) {
      const s = summaryOf(r);
      if (!s) continue;
      hostNames.add(s.hostName);
      s.tags.forEach((t) => tags.add(t));
      if (!setHosts.has(r.set)) setHosts.set(r.set, new Set());
      setHosts.get(r.set)!.add(s.hostName);
    }
    return { hostNames: [...hostNames].sort(), tags: [...tags].sort(), setHosts };
  }, [refs, st.sets, hosts, version]);

  const want = useTimelineStore((s) => s.want);
  const onVisibleDays = useCallback((keys: string[]) => want(keys, 'high'), [want]);
  // The axis follows the list: when the day at the top leaves the window, the window moves to it.
  const onTopDay = useCallback((key: string) => {
    const [start, end] = dayBounds(key);
    setWin((w) => (end < w.start || start > w.end ? centreWindow(w, (start + end) / 2) : w));
  }, []);
  // The chart's window fills in behind the list, a moment after panning/zooming stops.
  useEffect(() => {
    const timer = setTimeout(() => {
      const keys = days.filter((d) => d.refs.some((r) => r.t >= win.start && r.t < win.end)).map((d) => d.key);
      if (keys.length) want(keys, 'low');
    }, 300);
    return () => clearTimeout(timer);
  }, [win, days, want]);

  const focus = useCallback(
    (key: string) => {
      const ref = refs.find((r) => refKey(r) === key);
      if (!ref) return;
      setSelected(key);
      setWin((w) => (ref.t < w.start || ref.t > w.end ? centreWindow(w, ref.t) : w));
      listHandle.current?.scrollToRef(key);
    },
    [refs],
  );

  // A new as-of answer: bring its first pick into view in both the axis and the list.
  useEffect(() => {
    if (!asOf) return;
    // The pick closest to the asked moment (the newest of them) is the one most likely wanted.
    const newestPick = refs.filter((r) => asOf.picked.has(refKey(r))).pop();
    if (newestPick) focus(refKey(newestPick));
    else setWin((w) => centreWindow(w, asOf.at));
    // only when a new answer arrives
  }, [asOf]);

  const open = (r: TimelineRef) => navigate({ page: 'snapshot', repositoryId: r.repositoryId, snapshotId: r.id });
  const repoName = (id: string) => repositories.find((r) => r.id === id)?.name ?? id;
  const emptyRepo = !st.loading && !st.error && reposLoaded && refs.length === 0;
  const onlyBuiltIn = repositories.length > 0 && repositories.every((r) => r.builtIn);

  return (
    <div className="page snapshots-page">
      <header className="page-header">
        <div className="page-heading">
          <h1 className="page-title">Snapshots</h1>
          <p className="page-subtitle">
            {st.loading ? 'Listing snapshots…' : `${pluralize(refs.length, 'snapshot')} in ${selection === ALL ? pluralize(repositories.length, 'repository', 'repositories') : repoName(selection)}`}
          </p>
        </div>
        <div className="page-actions">
          <select
            className="input select repo-select"
            aria-label="Repository"
            value={selection}
            onChange={(e) => navigate({ page: 'snapshots', ...(e.target.value === ALL ? {} : { repositoryId: e.target.value }) })}
            data-testid="repository-select"
          >
            <option value={ALL}>All repositories</option>
            {!reposLoaded && selection !== ALL && <option value={selection}>…</option>}
            {repositories.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} ({r.kind === 'local' ? 'local folder' : r.kind.toUpperCase()})
              </option>
            ))}
          </select>
          <IconButton label="Reload snapshots" icon={<RefreshCw size={15} />} variant="secondary" pending={st.loading} onClick={() => void Promise.all([st.load(scope), usePitrStore.getState().load(scope)])} />
        </div>
      </header>

      {st.error && (
        <ErrorBanner title="Could not list the snapshots" detail={errorDetail(st.error)}>
          {st.error.message}
        </ErrorBanner>
      )}
      {st.summaryError && (
        <ErrorBanner title="Some snapshot details could not be read" detail={errorDetail(st.summaryError)}>
          {st.summaryError.message}
        </ErrorBanner>
      )}

      {/* One repository's rows come as soon as they are listed, not after the list of repositories. */}
      {!ready || (st.loading && !refs.length) ? (
        <div className="loading-row">
          <Spinner /> Reading the repositories…
        </div>
      ) : emptyRepo ? (
        onlyBuiltIn ? <NoRepositoryState /> : <NoSnapshotsState repository={selection === ALL ? null : repoName(selection)} />
      ) : (
        <>
          <div className="timeline-toolbar">
            <AsOfForm pending={st.asOfPending} onSubmit={(t) => void st.runAsOf(t, filters.sets[0])} />
            <TimelineFilters filters={filters} onChange={setFilters} sets={setNames} hosts={hostNames} tags={tags} />
          </div>
          {st.asOfError && (
            <ErrorBanner title="Could not read that date" detail={errorDetail(st.asOfError)}>
              {st.asOfError.message}
            </ErrorBanner>
          )}
          {asOf && (
            <AsOfResultView
              asOf={asOf}
              repositories={repositories}
              onFocus={focus}
              onClear={st.clearAsOf}
              onRestore={(repo, snapshotId) => navigate({ page: 'restore', repositoryId: repo, snapshotId, asOf: asOf.text })}
            />
          )}
          <Card
            className="timeline-card"
            title={<TimelineLegend lanes={lanes} colours={colours} setHosts={setHosts} bands={bands} />}
            actions={<ZoomControl span={win.end - win.start} onZoom={(span) => setWin((w) => zoomTo(w, span, newest))} />}
          >
            <TimelineAxis
              refs={drawnRefs}
              window={win}
              onWindowChange={setWin}
              colours={colours}
              lanes={lanes}
              highlighted={asOf?.picked ?? EMPTY}
              selected={selected}
              asOfAt={asOf?.at ?? null}
              onPick={(r) => focus(refKey(r))}
              bands={bands}
            />
            <SizeChart refs={drawnRefs} window={win} summaryOf={byId} version={version} />
            <PitrWindows bands={bands} untrusted={untrustedArchives} repoName={repoName} />
            <PitrRecoverDialog />
          </Card>
          <DayList
            handle={listHandle}
            rows={rows}
            summaryOf={byId}
            colours={colours}
            highlighted={asOf?.picked ?? EMPTY}
            sourcePicks={asOf?.sourcePicks ?? EMPTY}
            selected={selected}
            showRepository={(id) => (selection === ALL && repositories.length > 1 ? repoName(id) : null)}
            version={version}
            onOpen={open}
            onVisibleDays={onVisibleDays}
            onTopDay={onTopDay}
          />
        </>
      )}
    </div>
  );
}

const EMPTY: ReadonlySet<string> = new Set();

/** A zoom preset: when the newest snapshot is on screen it stays at the right edge, else the centre stays. */
function zoomTo(w: TimeWindow, span: number, newest: number | null): TimeWindow {
  const edge = newest == null ? Infinity : newest + span * 0.08;
  if (newest != null && newest >= w.start && newest <= w.end) return { start: edge - span, end: edge };
  const centred = centreWindow({ start: 0, end: span }, (w.start + w.end) / 2);
  // Never more future than the margin: an empty right half shows nothing.
  return centred.end > edge ? { start: edge - span, end: edge } : centred;
}
