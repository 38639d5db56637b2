import { useState, type FormEvent } from 'react';
import { AlertTriangle, CalendarClock, X } from 'lucide-react';
import type { Repository } from '../../shared/contract/index.js';
import { Button, IconButton, TextInput } from '../components';
import { refKey } from './timelineModel';
import type { AsOfView } from './useTimelineStore';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false });

function spread(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

/** The "as of" field: what the user typed, how it was read, and what it resolved to per set. */
export function AsOfForm({ pending, onSubmit, initial }: { pending: boolean; onSubmit: (text: string) => void; initial?: string }) {
  const [text, setText] = useState(initial ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) onSubmit(text.trim());
  };
  return (
    <form className="asof-form" onSubmit={submit} role="search">
      <CalendarClock size={15} className="asof-icon" aria-hidden />
      <TextInput
        aria-label="As of"
        placeholder='As of… "last friday 18:00", "yesterday", 2026-11-20 09:00'
        value={text}
        onChange={(e) => setText(e.target.value)}
        className="asof-input"
        data-testid="asof-input"
      />
      <Button type="submit" variant="primary" pending={pending} disabled={!text.trim()}>
        Find
      </Button>
    </form>
  );
}

export function AsOfResultView({ asOf, repositories, onFocus, onClear, onRestore }: {
  asOf: AsOfView;
  repositories: Repository[];
  onFocus: (key: string) => void;
  onClear: () => void;
  onRestore: (repositoryId: string, snapshotId: string) => void;
}) {
  const repoName = (id: string) => repositories.find((r) => r.id === id)?.name ?? id;
  const multi = asOf.results.length > 1;
  const first = asOf.results[0]!.result;
  const none = asOf.results.every((r) => r.result.sets.length === 0);
  return (
    <section className="asof-result" data-testid="asof-result" aria-label="As-of result">
      <header className="asof-result-header">
        <div>
          <div className="asof-interpretation" data-testid="asof-interpretation">
            Read as <strong>{when(first.at)}</strong> <span className="text-faint mono">({first.interpretation})</span>
          </div>
          {none && <div className="asof-none">No snapshot was taken at or before that moment.</div>}
        </div>
        <IconButton label="Clear as-of" icon={<X size={15} />} onClick={onClear} />
      </header>
      <div className="asof-picks">
      {asOf.results.map(({ repositoryId, result }) =>
        result.sets.map((p) => {
          const key = refKey({ repositoryId, id: p.snapshot.id });
          const differing = p.sources.filter((s) => s.snapshotId !== p.snapshot.id);
          return (
            <div key={key} className="asof-pick" data-testid="asof-pick" data-set={p.set} data-snapshot-id={p.snapshot.id}>
              <div className="asof-pick-main">
                <button type="button" className="link-button" onClick={() => onFocus(key)}>
                  <strong>{p.set}</strong> — {when(p.snapshot.time)}
                </button>
                {multi && <span className="text-faint"> in {repoName(repositoryId)}</span>}
                <span className="asof-pick-actions">
                  <Button size="sm" onClick={() => onRestore(repositoryId, p.snapshot.id)}>Restore…</Button>
                </span>
              </div>
              {differing.length > 0 && (
                <ul className="asof-sources">
                  {differing.map((s) => (
                    <li key={s.source}>
                      <button type="button" className="link-button" onClick={() => onFocus(refKey({ repositoryId, id: s.snapshotId }))}>
                        {s.source}
                      </button>{' '}
                      from an older snapshot: {when(s.startedAt)}
                    </li>
                  ))}
                </ul>
              )}
              {p.missing.length > 0 && <div className="asof-missing">Not in any snapshot by then: {p.missing.join(', ')}</div>}
              {p.spreadSeconds > 0 && differing.length > 0 && <div className="text-faint">Sources are {spread(p.spreadSeconds)} apart.</div>}
              {p.warnings.map((w) => (
                <div key={w} className="asof-warning" role="note">
                  <AlertTriangle size={13} aria-hidden /> {w}
                </div>
              ))}
            </div>
          );
        }),
      )}
      </div>
      {asOf.results.flatMap(({ result }) => result.warnings).map((w) => (
        <div key={w} className="asof-warning" role="note">
          <AlertTriangle size={13} aria-hidden /> {w}
        </div>
      ))}
      {asOf.errors.map(({ repositoryId, error }) => (
        <div key={repositoryId} className="asof-warning">
          <AlertTriangle size={13} aria-hidden /> {repoName(repositoryId)}: {error.message}
        </div>
      ))}
    </section>
  );
}
