import { AlertTriangle, CalendarClock, Search } from 'lucide-react';
import type { SetPick } from '../../../shared/contract/index.js';
import { Badge, Button, ErrorBanner, TextField } from '../../components';
import { errorDetail } from '../../app/errors';
import { formatBackupDate } from '../summary';
import { useRestoreWizardStore } from '../useRestoreWizardStore';

/** "As of" a date: natural language → snapshots.asOf; the interpretation, then per set the pick and per source where its data comes from. */
export function AsOfPicks() {
  const { choices, asOf, set, resolveAsOf, selectSnapshot } = useRestoreWizardStore();
  const result = asOf.status === 'ready' ? asOf.value : null;
  return (
    <div className="wizard-stack">
      <div className="rw-asof-row" data-enter="own">
        <TextField
          label="As of"
          placeholder="last friday 18:00, yesterday, 2 hours ago, 2026-11-21 18:00"
          value={choices.asOfText}
          onValueChange={(asOfText) => set({ asOfText })}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void resolveAsOf();
            }
          }}
          hint="The newest snapshot at or before that moment, in your time zone. Enter finds it."
          fieldClassName="rw-asof-field"
        />
        <Button onClick={() => void resolveAsOf()} pending={asOf.status === 'loading'} icon={<Search size={14} />}>
          Find
        </Button>
      </div>
      {asOf.status === 'error' && <ErrorBanner title="Could not read that date" detail={errorDetail(asOf.error)}>{asOf.error.message}</ErrorBanner>}
      {result && (
        <div className="rw-asof-result" data-testid="asof-result">
          <p className="rw-asof-interpretation">
            <CalendarClock size={14} aria-hidden /> Read as <strong>{formatBackupDate(result.at)}</strong> <span className="text-faint">({result.interpretation})</span>
          </p>
          {result.warnings.map((w) => (
            <p key={w} className="wizard-warning">
              <AlertTriangle size={14} aria-hidden /> {w}
            </p>
          ))}
          {result.sets.length === 0 ? (
            <p className="text-muted">No snapshot at or before that moment. Try a later date.</p>
          ) : (
            <div className="rw-asof-sets" role="radiogroup" aria-label="Backup sets found">
              {result.sets.map((s) => (
                <SetCard key={s.set} pick={s} selected={choices.snapshotId === s.snapshot.id} onPick={() => void selectSnapshot(s.snapshot.id)} />
              ))}
            </div>
          )}
        </div>
      )}
    </div>
  );
}

function SetCard({ pick, selected, onPick }: { pick: SetPick; selected: boolean; onPick: () => void }) {
  const older = pick.sources.filter((s) => s.snapshotId !== pick.snapshot.id);
  return (
    <label className={`rw-asof-set${selected ? ' is-selected' : ''}`}>
      <div className="rw-asof-set-head">
        <input type="radio" name="rw-asof-set" checked={selected} onChange={onPick} />
        <Badge tone="accent">{pick.set}</Badge>
        <span>
          snapshot of <strong>{formatBackupDate(pick.snapshot.time)}</strong>
        </span>
        <span className="mono text-faint">{pick.snapshot.id}</span>
      </div>
      {selected ? (
        <table className="table rw-asof-sources" aria-label={`Sources of set ${pick.set}`}>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Data from</th>
              <th scope="col">Snapshot</th>
            </tr>
          </thead>
          <tbody>
            {pick.sources.map((s) => (
              <tr key={s.source}>
                <td className="mono">{s.source}</td>
                <td>{formatBackupDate(s.startedAt)}</td>
                <td className="mono text-faint">{s.snapshotId === pick.snapshot.id ? 'this one' : s.snapshotId}</td>
              </tr>
            ))}
            {pick.missing.map((m) => (
              <tr key={m}>
                <td className="mono">{m}</td>
                <td colSpan={2} className="text-faint">
                  no copy at or before that moment
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        // Unpicked sets stay one line: the sources, and whether they all come from that snapshot.
        <div className="rw-asof-set-line text-muted">
          <span className="mono">{pick.sources.map((s) => s.source).join(', ')}</span>
          {older.length > 0 ? ` · ${older.length} from an older snapshot` : ' · all from this snapshot'}
          {pick.missing.length > 0 && ` · ${pick.missing.length} missing`}
        </div>
      )}
      {[...pick.warnings, ...(older.length ? [`${older.map((o) => o.source).join(', ')} come${older.length === 1 ? 's' : ''} from an older snapshot: restore ${older.length === 1 ? 'it' : 'them'} from that one separately.`] : [])].map((w) => (
        <p key={w} className="wizard-warning">
          <AlertTriangle size={14} aria-hidden /> {w}
        </p>
      ))}
    </label>
  );
}
