import type { DiscoveredSource } from '../../shared/contract/index.js';
import { sourceKey } from './sourceKey';

/** What backup.discover found on a host, each with a checkbox and why it is (not) recommended. */
export function SourceChecklist({ sources, ticked, onChange }: { sources: DiscoveredSource[]; ticked: Record<string, boolean>; onChange: (ticked: Record<string, boolean>) => void }) {
  return (
    <div className="backup-sources" role="group" aria-label="Sources to back up">
      {sources.map((s) => {
        const key = sourceKey(s.spec);
        return (
          <label key={key} className="backup-source">
            <input type="checkbox" checked={!!ticked[key]} onChange={(e) => onChange({ ...ticked, [key]: e.target.checked })} aria-label={s.label} />
            <span>
              <span className="backup-source-label">{s.label}</span>
              <span className="backup-source-reason">
                {' — '}
                {s.reason}
              </span>
            </span>
          </label>
        );
      })}
    </div>
  );
}
