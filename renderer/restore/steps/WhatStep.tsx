import { CalendarSearch, Database, HardDrive, Search, ShieldAlert } from 'lucide-react';
import { traitsOf } from '../../../shared/contract/source-kinds.js';
import type { Manifest, SnapshotSummary } from '../../../shared/contract/index.js';
import { Badge, Checkbox, EmptyState, ErrorBanner, Segmented, SelectField, Spinner, TextField, TrustLine } from '../../components';
import { errorDetail } from '../../app/errors';
import { formatBytes } from '../../app/format';
import { formatBackupDate } from '../summary';
import { useRestoreWizardStore } from '../useRestoreWizardStore';
import { ACCEPT_UNSIGNED, isEncrypted } from '../wizardModel';
import { ManageRepositoriesLink } from '../../repositories/ManageRepositoriesLink';
import { AsOfPicks } from './AsOfPicks';

export const KindIcon = ({ kind }: { kind: string }) => (traitsOf(kind)?.holds === 'databases' ? <Database size={14} aria-hidden /> : <HardDrive size={14} aria-hidden />);

/** Step 1: which snapshot (from the list, or "as of" a date) and which of its sources. */
export function WhatStep() {
  const { choices, repositories, recent, manifest, set, loadRecent, selectSnapshot } = useRestoreWizardStore();
  const repos = repositories.status === 'ready' ? repositories.value : [];

  return (
    <div className="wizard-stack">
      <div className="wizard-row">
        <SelectField
          label="Repository"
          value={choices.repositoryId}
          onValueChange={(repositoryId) => {
            set({ repositoryId, snapshotId: '', sources: [] });
            void loadRecent();
          }}
          options={repos.length ? repos.map((r) => ({ value: r.id, label: `${r.name} (${r.kind})` })) : [{ value: choices.repositoryId, label: choices.repositoryId || 'Loading…' }]}
          fieldClassName="wizard-repo"
        />
        <Segmented
          label="Pick by"
          value={choices.mode}
          onValueChange={(mode) => set({ mode })}
          options={[
            { value: 'snapshot', label: 'A recent snapshot', icon: <Search size={13} /> },
            { value: 'asOf', label: 'As of a date', icon: <CalendarSearch size={13} /> },
          ]}
        />
      </div>
      {repositories.status === 'error' && <ErrorBanner title="Could not list the repositories" detail={errorDetail(repositories.error)}>{repositories.error.message}</ErrorBanner>}

      {choices.mode === 'snapshot' ? (
        <RecentList items={recent.status === 'ready' ? recent.value : null} loading={recent.status === 'loading'} error={recent.status === 'error' ? recent.error : null} selected={choices.snapshotId} onPick={(id) => void selectSnapshot(id)} />
      ) : (
        <AsOfPicks />
      )}

      {manifest.status === 'loading' && (
        <div className="loading-row">
          <Spinner /> Reading the snapshot…
        </div>
      )}
      {manifest.status === 'error' && <ErrorBanner title="Could not read that snapshot" detail={errorDetail(manifest.error)}>{manifest.error.message}</ErrorBanner>}
      {manifest.status === 'ready' && manifest.value.id === choices.snapshotId && <SourcePicker manifest={manifest.value} />}
    </div>
  );
}

function RecentList({ items, loading, error, selected, onPick }: { items: SnapshotSummary[] | null; loading: boolean; error: { code: string; message: string; detail?: string } | null; selected: string; onPick: (id: string) => void }) {
  if (error) {
    return (
      <ErrorBanner title="Could not list the snapshots" detail={errorDetail(error)} actions={<ManageRepositoriesLink>Open Repositories</ManageRepositoriesLink>}>
        {error.message}
      </ErrorBanner>
    );
  }
  if (loading || !items) {
    return (
      <div className="loading-row">
        <Spinner /> Listing the snapshots…
      </div>
    );
  }
  if (items.length === 0) {
    return (
      <EmptyState title="No snapshots in the last 90 days">
        Back up a host first (a host page's stack → “Back up…”), or pick an older one “as of a date”.
      </EmptyState>
    );
  }
  return (
    <div className="snapshot-pick-list" role="radiogroup" aria-label="Recent snapshots">
      {items.map((s) => (
        <label key={s.id} className={`snapshot-pick${s.id === selected ? ' is-selected' : ''}`}>
          <input type="radio" name="snapshot" value={s.id} checked={s.id === selected} onChange={() => onPick(s.id)} />
          <span className="snapshot-pick-time">{formatBackupDate(s.time)}</span>
          <Badge tone="accent">{s.set}</Badge>
          <span className="snapshot-pick-host">from {s.hostName}</span>
          <span className="snapshot-pick-sources">{s.sources.map((x) => x.name).join(', ')}</span>
          <span className="mono snapshot-pick-size">{formatBytes(s.rawBytes)}</span>
          {s.verification && <Badge tone={s.verification.ok ? 'success' : 'danger'}>{s.verification.ok ? 'verified' : 'verify failed'}</Badge>}
        </label>
      ))}
    </div>
  );
}

/** Who signed the snapshot. Untrusted: why, and the typed word that accepts it (audited). */
function TrustNotice() {
  const { choices, trust, set } = useRestoreWizardStore();
  if (trust.status !== 'ready' || trust.key !== choices.snapshotId) return null;
  const t = trust.value;
  if (t.status === 'trusted') return <TrustLine trust={t} />;
  return (
    <div className="trust-warning" role="alert" data-testid="snapshot-trust">
      <p className="trust-warning-title">
        <ShieldAlert size={16} aria-hidden /> No writer you trust signed this snapshot
      </p>
      <p>{t.message}</p>
      <p className="muted">
        Anyone who can write to the repository could have put it there. Restore it only if you know where it came from — a snapshot written before signing existed, or one copied here by
        hand. Your choice is written to the audit log.
      </p>
      <TextField label={`Type ${ACCEPT_UNSIGNED} to restore it anyway`} value={choices.acceptUnsigned} onValueChange={(acceptUnsigned) => set({ acceptUnsigned })} autoComplete="off" />
    </div>
  );
}

function SourcePicker({ manifest }: { manifest: Manifest }) {
  const { choices, toggleSource, set } = useRestoreWizardStore();
  return (
    <fieldset className="wizard-fieldset">
      <legend>
        Sources of <span className="mono">{manifest.id}</span> — taken on {manifest.sourceHost.name}, {formatBackupDate(manifest.startedAt)}
      </legend>
      <div className="source-checks">
        {manifest.sources.map((s) => (
          <Checkbox
            key={s.name}
            checked={choices.sources.includes(s.name)}
            onCheckedChange={(on) => toggleSource(s.name, on)}
            label={
              <span className="source-check-label">
                <KindIcon kind={s.kind} />
                <span className="mono">{s.name}</span>
                <Badge>{s.kind}</Badge>
              </span>
            }
            description={`${formatBytes(s.rawBytes)} (${formatBytes(s.storedBytes)} stored)${s.fileCount != null ? ` · ${s.fileCount.toLocaleString()} entries` : ''}${s.origin.engineVersion ? ` · ${s.origin.engineVersion}` : ''}`}
          />
        ))}
      </div>
      {isEncrypted(manifest) && (
        <TextField label="Passphrase" type="password" value={choices.passphrase} onValueChange={(passphrase) => set({ passphrase })} hint="This snapshot is encrypted. The passphrase is used for this restore only and not kept." />
      )}
      <TrustNotice />
    </fieldset>
  );
}
