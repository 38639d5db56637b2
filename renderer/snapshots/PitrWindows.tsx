import { History, RotateCcw } from 'lucide-react';
import { Button, CommandBlock } from '../components';
import { formatBytes, formatTime, pluralize } from '../app/format';
import type { PitrBand } from './usePitrStore';
import { usePitrRecoverStore } from './usePitrRecoverStore';

/**
 * Below the axis: each PostgreSQL archived continuously (docs/pitr.md), with the span of time it
 * can be recovered to — any second of it, not only the snapshots — and the command that does it.
 */
export function PitrWindows({ bands, untrusted, repoName }: { bands: readonly PitrBand[]; untrusted: readonly { key: string; cluster: string; problems: number }[]; repoName: (id: string) => string }) {
  const openRecover = usePitrRecoverStore((s) => s.open);
  if (!bands.length && !untrusted.length) return null;
  return (
    <section className="pitr-windows" aria-label="Point-in-time recovery" data-testid="pitr-windows">
      {untrusted.length > 0 && (
        <p className="pitr-window-problem" data-testid="pitr-untrusted">
          {pluralize(untrusted.length, 'archived cluster')} ({untrusted.map((u) => u.cluster).join(', ')}) left out: no base backup in {untrusted.length > 1 ? 'them' : 'it'} is signed by a writer this console trusts
          (an agent removed with its key, or another tool).
        </p>
      )}
      {bands.map((b) => {
        const newest = b.cluster.windows[0];
        return (
          <div key={b.key} className="pitr-window" data-testid="pitr-window" data-cluster={b.cluster.cluster}>
            <div className="pitr-window-head">
              <History size={15} aria-hidden />
              <span className="pitr-window-title">PostgreSQL {b.label}</span>
              <span className="pitr-window-meta">
                PostgreSQL {b.cluster.serverVersion.slice(0, -4) || '?'} · {pluralize(b.cluster.bases, 'base backup')} · {pluralize(b.cluster.segments, 'WAL segment')} · {formatBytes(b.cluster.storedBytes)} in {repoName(b.repositoryId)}
              </span>
              {newest && (
                <Button size="sm" icon={<RotateCcw size={13} />} onClick={() => openRecover(b)} data-testid="pitr-recover-open">
                  Recover to a moment…
                </Button>
              )}
            </div>
            {newest ? (
              <p className="pitr-window-span">
                Recoverable to any moment from <strong>{formatTime(newest.from)}</strong> to <strong>{formatTime(newest.to)}</strong>
                {b.cluster.windows.length > 1 ? ` (and ${pluralize(b.cluster.windows.length - 1, 'earlier window')})` : ''}.
                {Date.parse(newest.to) - Date.parse(newest.from) < 120_000 ? ' It grows as the agent ships the WAL, about a minute behind the server.' : ''}
              </p>
            ) : (
              <p className="pitr-window-span">No recoverable window yet: the first base backup and its WAL are on their way.</p>
            )}
            {b.cluster.problems.length > 0 && <p className="pitr-window-problem">{pluralize(b.cluster.problems.length, 'record')} left out (not signed by a trusted writer, or unreadable).</p>}
            {newest && (
              <CommandBlock
                label={`the same from the command line, for ${b.label}`}
                commands={[`hindsight restore --repo ${repoName(b.repositoryId)} --as-of "<time in the window>" --set <set with ${b.cluster.container}> --to-host <host> --map ${b.cluster.container}=<target container>`]}
              />
            )}
          </div>
        );
      })}
    </section>
  );
}
