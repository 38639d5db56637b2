import { Lock, ShieldOff } from 'lucide-react';
import { TextField } from '../../components';
import { useHostsStore } from '../../hosts/useHostsStore';
import { restoreSummary } from '../summary';
import { useRestoreWizardStore } from '../useRestoreWizardStore';

/** Step 5: what will happen, in one paragraph of plain words; a protected host's name typed to confirm. */
export function ConfirmStep() {
  const { choices, plan, manifest, set } = useRestoreWizardStore();
  const host = useHostsStore((s) => s.hosts.find((h) => h.id === choices.targetHostId));
  if (plan.status !== 'ready' || manifest.status !== 'ready' || !host) return <p className="text-muted">Go back to the plan first.</p>;
  const p = plan.value;
  const sentence = restoreSummary({ plan: p, sourceHostName: manifest.value.sourceHost.name, takenAt: manifest.value.startedAt });
  const matches = choices.confirmText === host.name;
  return (
    <div className="wizard-stack">
      <p className="confirm-summary" data-testid="confirm-summary">
        {renderTicks(sentence)}
      </p>
      <ul className="confirm-facts">
        <li>
          Snapshot <span className="mono">{p.snapshotId}</span> from repository <span className="mono">{p.repositoryId}</span>
        </li>
        <li>
          {p.safetyCopy ? (
            'A safety copy of what is overwritten is kept until the restore is verified; any failure puts it back.'
          ) : (
            <span className="tone-text-warning">
              <ShieldOff size={13} aria-hidden /> No safety copy — reason: “{choices.safetyReason}”. A failure cannot be rolled back.
            </span>
          )}
        </li>
        <li>Afterwards every target is verified against the snapshot (checksums, file counts, row counts) and the stopped containers are started again.</li>
      </ul>
      {host.protected && (
        <div className="confirm-protected" data-enter="own">
          <p>
            <Lock size={14} aria-hidden /> <strong>{host.name}</strong> is a protected host. Type its name to confirm.
          </p>
          <TextField
            label={`Type “${host.name}”`}
            value={choices.confirmText}
            onValueChange={(confirmText) => set({ confirmText })}
            error={choices.confirmText && !matches ? 'That is not the host’s name.' : null}
            fieldClassName="confirm-name"
          />
        </div>
      )}
    </div>
  );
}

/** `name` in the sentence → <code>name</code>. */
function renderTicks(text: string) {
  return text.split(/(`[^`]+`)/).map((part, i) => (part.startsWith('`') && part.endsWith('`') ? <code key={i}>{part.slice(1, -1)}</code> : part));
}
