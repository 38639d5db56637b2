import { useEffect, useMemo, useRef, useState } from 'react';
import { Copy, Download, Eraser, Maximize2, Minimize2, Pause, Play, RotateCcw, Search, X } from 'lucide-react';
import { Button, IconButton, TextInput, Toolbar, ToolbarSpacer } from '../components';
import { pluralize } from '../app/format';
import { toast } from '../app/useToastStore';
import { useInventoryStore } from '../inventory/useInventoryStore';
import { filterEntries, MAX_LINES, toText, type LogEntry } from './logBuffer';
import { LogList } from './LogList';
import { useLogsStore, type LogsTarget } from './useLogsStore';
import { useLogStream } from './useLogStream';

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API refused (permissions, insecure origin): the old way still works on a user click.
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    if (!ok) throw new Error('The browser refused to copy.');
  }
}

function download(text: string, name: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');

function LogsPanel({ target }: { target: LogsTarget }) {
  const { maximized, toggleMaximized, close } = useLogsStore();
  const [generation, setGeneration] = useState(0);
  const stream = useLogStream(target, generation);
  const [filter, setFilter] = useState('');
  // Paused: the view keeps the lines it had; the buffer keeps filling (bounded) underneath.
  const [frozen, setFrozen] = useState<{ lines: readonly LogEntry[]; received: number } | null>(null);

  const shown = frozen ? frozen.lines : stream.lines;
  const visible = useMemo(() => filterEntries(shown, filter), [shown, filter]);
  const newSincePause = frozen ? stream.received - frozen.received : 0;
  const name = target.containerName;

  const togglePause = () => setFrozen(frozen ? null : { lines: stream.lines, received: stream.received });
  const copy = () =>
    copyText(toText(visible, false)).then(
      () => toast({ tone: 'success', title: `Copied ${pluralize(visible.length, 'line')}` }),
      (e: Error) => toast({ tone: 'danger', title: 'Could not copy', message: e.message }),
    );

  const ended = stream.status.state === 'ended' ? stream.status : null;

  // Docker ends a follow when the container stops. When it runs again (Start, Restart), follow it
  // again by itself — but only on that transition, so a stream that fails while the container runs
  // never turns into a reconnect loop.
  const running = useInventoryStore((s) => s.byHost[target.hostId]?.data?.containers.find((c) => c.id === target.containerId)?.state === 'running');
  const wasRunning = useRef(running);
  useEffect(() => {
    if (ended && running && !wasRunning.current) {
      setFrozen(null);
      setGeneration((g) => g + 1);
    }
    wasRunning.current = running;
  }, [ended, running]);
  return (
    <section className={maximized ? 'logs-drawer is-maximized' : 'logs-drawer'} aria-label={`Logs of ${name}`}>
      <header className="logs-header">
        <div className="logs-title">
          <span className={ended ? 'live-dot is-off' : frozen ? 'live-dot is-paused' : 'live-dot'} aria-hidden />
          <strong>{name}</strong>
          <span className="text-muted">on {target.hostName}</span>
          <span className="logs-state" data-testid="logs-state">
            {ended ? (ended.error ? 'stream failed' : 'stream ended') : frozen ? 'paused' : 'following'}
          </span>
        </div>
        <Toolbar label="Log actions" className="logs-toolbar">
          <div className="filter-box">
            <Search size={13} aria-hidden />
            <TextInput aria-label="Filter lines" placeholder="Filter (case-insensitive)" value={filter} onChange={(e) => setFilter(e.target.value)} />
          </div>
          <Button size="sm" icon={frozen ? <Play size={12} /> : <Pause size={12} />} onClick={togglePause} aria-pressed={!!frozen}>
            {frozen ? 'Resume' : 'Pause'}
          </Button>
          {frozen && newSincePause > 0 && (
            <button type="button" className="new-lines" onClick={togglePause}>
              {pluralize(newSincePause, 'new line')}
            </button>
          )}
          <ToolbarSpacer />
          <IconButton label="Copy visible lines" icon={<Copy size={14} />} onClick={() => void copy()} disabled={!visible.length} />
          <IconButton label="Download as .log" icon={<Download size={14} />} onClick={() => download(toText(visible, true), `${name}-${stamp()}.log`)} disabled={!visible.length} />
          <IconButton label="Clear view" icon={<Eraser size={14} />} onClick={() => (setFrozen(null), stream.clear())} />
          <IconButton label={maximized ? 'Restore size' : 'Maximize'} icon={maximized ? <Minimize2 size={14} /> : <Maximize2 size={14} />} onClick={toggleMaximized} />
          <IconButton label="Close logs" icon={<X size={15} />} onClick={close} />
        </Toolbar>
      </header>
      {ended && (
        <div className={ended.error ? 'logs-notice logs-notice-error' : 'logs-notice'} role="status">
          {ended.error ? `The log stream failed: ${ended.error.message}` : 'The log stream ended — the container stopped, or the engine closed it.'}
          <Button size="sm" icon={<RotateCcw size={12} />} onClick={() => (setFrozen(null), setGeneration((g) => g + 1))}>
            Reconnect
          </Button>
        </div>
      )}
      <LogList
        entries={visible}
        label={`Log lines of ${name}`}
        emptyText={filter.trim() && shown.length ? 'No line matches the filter.' : ended ? 'No output.' : 'Waiting for output…'}
      />
      <footer className="logs-footer">
        <span>
          {filter.trim() ? `${visible.length.toLocaleString()} of ${pluralize(shown.length, 'line')} match` : pluralize(shown.length, 'line')}
        </span>
        {stream.received > MAX_LINES && <span>· keeping the last {MAX_LINES.toLocaleString()}</span>}
        {stream.skippedByServer > 0 && <span className="text-warning">· {pluralize(stream.skippedByServer, 'line')} skipped — output faster than the view can follow</span>}
      </footer>
    </section>
  );
}

/** The bottom drawer; remounts per container so each gets a fresh buffer and subscription. */
export function LogsDrawer() {
  const target = useLogsStore((s) => s.target);
  if (!target) return null;
  return <LogsPanel key={`${target.hostId}/${target.containerId}`} target={target} />;
}
