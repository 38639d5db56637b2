import { useEffect } from 'react';
import { CheckCircle2, History } from 'lucide-react';
import { Button, CommandBlock, Dialog, ErrorBanner, ProgressBar, SelectField, TextField } from '../components';
import { errorDetail } from '../app/errors';
import { formatBytes, formatTime, pluralize } from '../app/format';
import { useHostsStore } from '../hosts/useHostsStore';
import { useInventoryStore } from '../inventory/useInventoryStore';
import { OperationView } from '../operations';
import { momentIso, usePitrRecoverStore } from './usePitrRecoverStore';

/** A container that runs PostgreSQL, as far as the inventory tells (its image, or its data directory). */
const looksLikePostgres = (c: { image: string; mounts: { destination: string }[] }) => /postgres|postgis|timescale/i.test(c.image) || c.mounts.some((m) => m.destination.includes('postgresql'));

/**
 * "Recover to a moment": pick any second of an archived cluster's window, a host and its
 * PostgreSQL container; see the plan (the dry run: refusals before anything is touched); run it
 * and watch its steps — the same operation view as a restore, with its log and its rollback.
 */
export function PitrRecoverDialog() {
  const { band, choices, plan, run, outcome, close, set, loadPlan, start } = usePitrRecoverStore();
  const hosts = useHostsStore((s) => s.hosts);
  const inventory = useInventoryStore((s) => (choices.targetHostId ? s.byHost[choices.targetHostId] : undefined));
  const loadInventory = useInventoryStore((s) => s.load);
  useEffect(() => {
    if (choices.targetHostId) void loadInventory(choices.targetHostId);
  }, [choices.targetHostId, loadInventory]);
  if (!band) return null;

  const host = hosts.find((h) => h.id === choices.targetHostId);
  const at = momentIso(choices.moment);
  const inWindow = at ? band.windows.some((w) => Date.parse(at) >= w.from && Date.parse(at) <= w.to) : false;
  const containers = (inventory?.data?.containers ?? []).filter((c) => c.state === 'running').sort((a, b) => Number(looksLikePostgres(b)) - Number(looksLikePostgres(a)) || a.name.localeCompare(b.name));
  const running = outcome.status === 'loading';
  const ready = !!at && inWindow && !!host && !!choices.target.trim() && (!host.protected || choices.confirm === host.name);
  const started = run !== null || outcome.status !== 'idle';

  const footer = started ? (
    <Button onClick={close} disabled={running}>
      {running ? 'Running…' : 'Close'}
    </Button>
  ) : (
    <>
      <Button variant="ghost" onClick={close}>
        Cancel
      </Button>
      <Button onClick={() => void loadPlan()} disabled={!ready || plan.status === 'loading'}>
        {plan.status === 'loading' ? 'Planning…' : 'Show the plan'}
      </Button>
      <Button variant="danger" onClick={() => void start()} disabled={!ready || plan.status !== 'ready'} data-testid="pitr-recover-start">
        Recover {choices.target.trim() || '…'}
      </Button>
    </>
  );

  return (
    <Dialog
      size="lg"
      busy={running}
      onClose={close}
      title={
        <>
          <History size={16} aria-hidden /> Recover PostgreSQL {band.label} to a moment
        </>
      }
      description="Any second of the window, not only the snapshots: a new volume from the base backup, the WAL replayed to that moment, then swapped in for the target's data volume. The target's data is copied aside first (kept on its host) and put back if anything fails."
      footer={footer}
    >
      {!started && (
        <div className="pitr-recover-form">
          <div className="field">
            <label className="field-label" htmlFor="pitr-moment">
              Moment (this computer's time)
            </label>
            <input id="pitr-moment" className="input" type="datetime-local" step={1} value={choices.moment} onChange={(e) => set({ moment: e.target.value })} data-testid="pitr-moment" />
            <p className={at && !inWindow ? 'field-error' : 'field-hint'}>
              {at && !inWindow ? 'Outside the recoverable window. ' : ''}
              Recoverable: {band.windows.map((w) => `${formatTime(new Date(w.from).toISOString())} – ${formatTime(new Date(w.to).toISOString())}`).join('; ')}
            </p>
          </div>
          <SelectField
            label="Target host"
            value={choices.targetHostId}
            onValueChange={(v) => set({ targetHostId: v, target: '', confirm: '' })}
            options={[{ value: '', label: 'Choose a host…' }, ...[...hosts].sort((a, b) => Number(a.protected) - Number(b.protected) || a.name.localeCompare(b.name)).map((h) => ({ value: h.id, label: `${h.name}${h.protected ? ' (protected)' : ''}` }))]}
            data-testid="pitr-target-host"
          />
          <SelectField
            label="PostgreSQL container to replace"
            value={choices.target}
            onValueChange={(v) => set({ target: v })}
            options={[{ value: '', label: !host ? 'Choose a host first' : inventory?.loading && !inventory.data ? 'Reading its containers…' : 'Choose a running container…' }, ...containers.map((c) => ({ value: c.name, label: `${c.name} · ${c.image}` }))]}
            disabled={!host}
            hint="Its data volume is replaced; it keeps its own postgresql.conf and pg_hba.conf."
            data-testid="pitr-target"
          />
          {host?.protected && <TextField label={`${host.name} is protected: type its name to confirm`} value={choices.confirm} onValueChange={(v) => set({ confirm: v })} />}
          {plan.status === 'error' && (
            <ErrorBanner title="Refused — nothing was touched" detail={errorDetail(plan.error)}>
              {plan.error.message}
            </ErrorBanner>
          )}
          {plan.status === 'ready' && (
            <div className="pitr-plan" data-testid="pitr-plan">
              <h3 className="pitr-plan-title">The plan</h3>
              <ol className="pitr-plan-steps">
                <li>
                  A new volume on {host?.name}: base backup <span className="mono">{plan.value.baseId}</span> and {pluralize(plan.value.segments, 'WAL segment')} ({formatBytes(plan.value.bytes)} stored), each checked against its signed record.
                </li>
                <li>A PostgreSQL from {plan.value.target}'s own image, on no network, replays the WAL to {formatTime(plan.value.at)} and is promoted. {plan.value.target} keeps running meanwhile.</li>
                <li>
                  {plan.value.target} is stopped; its volume <span className="mono">{plan.value.dataVolume}</span> is copied aside on {host?.name} (the safety copy, kept for 7 days), then filled from the recovered volume.
                </li>
                <li>{plan.value.target} is started and checked: it answers, out of recovery. On any failure its data is put back from the copy.</li>
              </ol>
              <CommandBlock label="the same by hand" commands={plan.value.commands} />
            </div>
          )}
        </div>
      )}
      {run && (
        <div className="wizard-stack">
          <div className="run-overall">
            <span className="run-overall-label">Overall</span>
            <ProgressBar fraction={outcome.status === 'ready' ? 1 : run.fraction} label="Recovery overall" tone={outcome.status === 'ready' ? 'success' : outcome.status === 'error' ? 'warning' : undefined} />
            <span className="run-overall-message text-muted">{outcome.status === 'ready' ? 'Done' : outcome.status === 'error' ? 'Failed — see the steps and the log' : run.message}</span>
          </div>
          {outcome.status === 'ready' && outcome.value.done && (
            <p className="pitr-recover-done" data-testid="pitr-recover-done">
              <CheckCircle2 size={15} aria-hidden />
              <span>
                {outcome.value.target} on {host?.name} is now cluster {outcome.value.cluster} as of {formatTime(outcome.value.at)} (replay ended at {outcome.value.done.replayedTo}). Its data from before is in
                volume <span className="mono">{outcome.value.done.safetyVolume}</span>, kept for 7 days.
              </span>
            </p>
          )}
          <OperationView taskId={run.taskId} />
        </div>
      )}
      {!run && outcome.status === 'error' && (
        <ErrorBanner title="The recovery did not start" detail={errorDetail(outcome.error)}>
          {outcome.error.message}
        </ErrorBanner>
      )}
    </Dialog>
  );
}
