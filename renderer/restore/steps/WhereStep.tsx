import { useEffect, useId } from 'react';
import { Plus, Server } from 'lucide-react';
import { traitsOf } from '../../../shared/contract/source-kinds.js';
import type { Host, Inventory, ManifestSource } from '../../../shared/contract/index.js';
import { Badge, Button, EmptyState, ErrorBanner, Spinner } from '../../components';
import { errorDetail } from '../../app/errors';
import { formatBytes } from '../../app/format';
import { ProtectedIcon, RoleBadge } from '../../hosts/RoleBadge';
import { useHostDialogsStore } from '../../hosts/useHostDialogsStore';
import { useHostsStore } from '../../hosts/useHostsStore';
import { useInventoryStore } from '../../inventory/useInventoryStore';
import { useRestoreWizardStore } from '../useRestoreWizardStore';
import { restorePathProblem } from '../../../shared/restore-paths.js';
import { targetKindOf } from '../wizardModel';
import { KindIcon } from './WhatStep';

/** Non-protected hosts first (the usual targets), then by name. */
const byTargetFitness = (a: Host, b: Host) => Number(a.protected) - Number(b.protected) || a.name.localeCompare(b.name);

/** Step 2: the target host, and per source the volume or database container it goes into. */
export function WhereStep() {
  const hosts = useHostsStore((s) => s.hosts);
  const { choices, manifest, set } = useRestoreWizardStore();
  const openAdd = useHostDialogsStore((s) => s.openAdd);
  const host = hosts.find((h) => h.id === choices.targetHostId) ?? null;
  const entry = useInventoryStore((s) => (choices.targetHostId ? s.byHost[choices.targetHostId] : undefined));
  const load = useInventoryStore((s) => s.load);

  useEffect(() => {
    if (choices.targetHostId) void load(choices.targetHostId);
  }, [choices.targetHostId, load]);

  const sources = manifest.status === 'ready' ? manifest.value.sources.filter((s) => choices.sources.includes(s.name)) : [];
  const sorted = [...hosts].sort(byTargetFitness);

  return (
    <div className="wizard-stack">
      <fieldset className="wizard-fieldset">
        <legend>Target host</legend>
        {hosts.length === 0 ? (
          <EmptyState title="No hosts yet" actions={<Button icon={<Plus size={14} />} onClick={() => openAdd()}>Add host</Button>}>
            Add the machine to restore onto (UAT, science…).
          </EmptyState>
        ) : (
          <div className="host-pick-list" role="radiogroup" aria-label="Target host">
            {sorted.map((h) => (
              <label key={h.id} className={`host-pick${h.id === choices.targetHostId ? ' is-selected' : ''}${h.protected ? ' is-protected' : ''}`}>
                <input type="radio" name="target-host" value={h.id} checked={h.id === choices.targetHostId} onChange={() => set({ targetHostId: h.id, confirmText: '' })} aria-label={h.name} />
                <Server size={15} aria-hidden />
                <span className="host-pick-name">{h.name}</span>
                <RoleBadge role={h.role} />
                {h.protected && (
                  <>
                    <ProtectedIcon />
                    <span className="host-pick-note">protected — its name must be typed to confirm</span>
                  </>
                )}
              </label>
            ))}
            <Button variant="ghost" size="sm" icon={<Plus size={13} />} onClick={() => openAdd()} className="host-pick-add">
              Add a host
            </Button>
          </div>
        )}
      </fieldset>

      {host && (
        <fieldset className="wizard-fieldset">
          <legend>
            Where each source goes on <strong>{host.name}</strong>
          </legend>
          {entry?.error && !entry.data && <ErrorBanner title={`Could not read what is on ${host.name}`} detail={errorDetail(entry.error)}>{entry.error.message} You can still type names; the pre-flight checks will tell.</ErrorBanner>}
          {!entry?.data && entry?.loading && (
            <div className="loading-row">
              <Spinner /> Reading the volumes and containers of {host.name}…
            </div>
          )}
          <div className="target-map">
            {sources.map((s) => (
              <TargetRow
                key={s.name}
                source={s}
                inventory={entry?.data ?? null}
                value={choices.map[s.name] ?? ''}
                onChange={(v) => set({ map: { ...choices.map, [s.name]: v } })}
                path={choices.paths[s.name] ?? ''}
                onPathChange={(v) => set({ paths: { ...choices.paths, [s.name]: v } })}
              />
            ))}
          </div>
        </fieldset>
      )}
    </div>
  );
}

interface TargetRowProps {
  source: ManifestSource;
  inventory: Inventory | null;
  value: string;
  onChange: (v: string) => void;
  /** Directory sources: the directory inside the container. */
  path: string;
  onPathChange: (v: string) => void;
}

function TargetRow({ source, inventory, value, onChange, path, onPathChange }: TargetRowProps) {
  const id = useId();
  const intoPath = !!traitsOf(source.kind)?.intoPath;
  const pathProblem = intoPath && path.trim() ? restorePathProblem(path.trim()) : undefined;
  const kind = targetKindOf(source.kind);
  const name = value.trim();
  let note: { tone: 'success' | 'warning' | 'danger' | 'neutral'; text: string } = { tone: 'neutral', text: '' };
  if (inventory && name) {
    if (kind === 'volume') {
      const v = inventory.volumes.find((x) => x.name === name);
      note = v
        ? { tone: 'warning', text: `existing volume — replaced${v.usedBy.length ? `; used by ${v.usedBy.join(', ')} (stopped meanwhile)` : ''}${v.sizeBytes != null ? ` · now ${formatBytes(v.sizeBytes)}` : ''}` }
        : { tone: 'success', text: 'new volume — will be created' };
    } else {
      const c = inventory.containers.find((x) => x.name === name);
      const what = intoPath ? `the directory ${path || '?'} in it is replaced` : 'its databases are replaced';
      note = c ? { tone: 'warning', text: `${c.image} · ${c.state} — ${what}` } : { tone: 'danger', text: 'no such container on this host' };
    }
  }
  return (
    <div className="target-row" data-testid={`target-${source.name}`}>
      <div className="target-source">
        <KindIcon kind={source.kind} />
        <span className="mono">{source.name}</span>
        <Badge>{source.kind}</Badge>
      </div>
      <span className="target-arrow" aria-hidden>
        →
      </span>
      <div className="target-choice">
        <label htmlFor={id} className="field-label">
          {kind === 'volume' ? 'Volume (existing, or a new name)' : intoPath ? 'Container' : 'Database container'}
        </label>
        {kind === 'volume' ? (
          <>
            <input id={id} className="input mono" list={`${id}-list`} value={value} onChange={(e) => onChange(e.target.value)} spellCheck={false} autoComplete="off" />
            <datalist id={`${id}-list`}>{inventory?.volumes.map((v) => <option key={v.name} value={v.name} />)}</datalist>
          </>
        ) : (
          <select id={id} className="input select mono" value={value} onChange={(e) => onChange(e.target.value)}>
            {inventory && !inventory.containers.some((c) => c.name === value) && <option value={value}>{value || '—'} (not on this host)</option>}
            {!inventory && <option value={value}>{value}</option>}
            {inventory?.containers.map((c) => (
              <option key={c.id} value={c.name}>
                {c.name} — {c.image}
              </option>
            ))}
          </select>
        )}
        {note.text && <span className={`target-note tone-${note.tone}`}>{note.text}</span>}
        {intoPath && (
          <>
            <label htmlFor={`${id}-path`} className="field-label">
              Directory in the container
            </label>
            <input id={`${id}-path`} className="input mono" value={path} onChange={(e) => onPathChange(e.target.value)} spellCheck={false} autoComplete="off" />
            <span className={`target-note tone-${pathProblem ? 'danger' : 'neutral'}`}>
              {pathProblem ?? `Backed up from ${source.origin.path ?? '?'}; it is cleared, then the snapshot is extracted into it.`}
            </span>
          </>
        )}
      </div>
    </div>
  );
}
