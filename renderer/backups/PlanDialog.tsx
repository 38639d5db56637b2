import { useEffect, useMemo, useState } from 'react';
import { CalendarPlus } from 'lucide-react';
import type { DiscoveredSource, PlanInput, RepositoryConfig } from '../../shared/contract/index.js';
import { parseNotifyTarget } from '../../shared/notify-targets.js';
import { takesLevels, withLevels } from '../../shared/levels.js';
import { Button, Checkbox, Dialog, ErrorBanner, Segmented, SelectField, Spinner, TextField } from '../components';
import { errorDetail, toErrorInfo, type ErrorInfo } from '../app/errors';
import { requireClient } from '../app/useConnectionStore';
import { useAgentStore } from '../agent/useAgentStore';
import { useHostsStore } from '../hosts/useHostsStore';
import { ManageRepositoriesLink } from '../repositories/ManageRepositoriesLink';
import { safeSetName, sourceKey } from './sourceKey';
import { SourceChecklist } from './SourceChecklist';

type Preset = 'hourly' | 'daily' | 'custom';
const PRESETS: { value: Preset; label: string; title: string }[] = [
  { value: 'hourly', label: 'Every hour', title: 'At minute 0 of every hour' },
  { value: 'daily', label: 'Daily at 02:00', title: 'Every night at 02:00 in the time zone below' },
  { value: 'custom', label: 'Custom', title: 'Five cron fields' },
];
const KEEP = [
  ['keepLast', 'Last'],
  ['keepDaily', 'Daily'],
  ['keepWeekly', 'Weekly'],
  ['keepMonthly', 'Monthly'],
] as const;

/**
 * A new backup plan, by clicking: which host and what on it (what backup.discover finds), where to,
 * when (a preset or cron, in an explicit time zone), how long to keep, whom to tell. Says whether
 * the host's agent will run it, or only a console.
 */
export function PlanDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const hosts = useHostsStore((s) => s.hosts);
  const [hostId, setHostId] = useState(hosts[0]?.id ?? '');
  const host = hosts.find((h) => h.id === hostId);
  const agent = useAgentStore((s) => (hostId ? s.byHost[hostId]?.status : undefined));
  const [name, setName] = useState('');
  const [repos, setRepos] = useState<RepositoryConfig[] | null>(null);
  const [repositoryId, setRepositoryId] = useState('');
  const [sources, setSources] = useState<DiscoveredSource[] | null>(null);
  const [ticked, setTicked] = useState<Record<string, boolean>>({});
  const [preset, setPreset] = useState<Preset>('daily');
  const [cron, setCron] = useState('0 2 * * *');
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [keep, setKeep] = useState<Record<string, string>>({ keepLast: '', keepDaily: '7', keepWeekly: '4', keepMonthly: '6' });
  const [notify, setNotify] = useState('');
  /** A restore drill: verify the newest snapshot on this host, weekly (Sunday 06:00). */
  const [drillHostId, setDrillHostId] = useState('');
  const [drillCron, setDrillCron] = useState('0 6 * * 0');
  /** Volumes in incremental levels (GNU tar, made by the host's agent), a full level every 7 days. */
  const [levels, setLevels] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    void requireClient()
      .repositories.list({})
      .then((r) => {
        setRepos(r);
        setRepositoryId((id) => id || r.find((x) => x.kind === 's3')?.id || r[0]?.id || '');
      }, (e) => setError(toErrorInfo(e)));
  }, []);
  useEffect(() => {
    if (!hostId) return;
    let stale = false;
    setSources(null);
    void useAgentStore.getState().load(hostId);
    requireClient()
      .backup.discover({ hostId })
      .then(
        (found) => {
          if (stale) return;
          setSources(found);
          setTicked(Object.fromEntries(found.map((s) => [sourceKey(s.spec), s.recommended])));
        },
        (e) => !stale && setError(toErrorInfo(e)),
      );
    return () => {
      stale = true;
    };
  }, [hostId]);

  const chosen = useMemo(() => (sources ?? []).filter((s) => ticked[sourceKey(s.spec)]), [sources, ticked]);
  const planName = name.trim() || (host ? `${safeSetName(host.name)}-nightly` : '');
  const notifyList = notify.split(/[\s,]+/).filter(Boolean);
  const notifyProblem = notifyList.map(parseNotifyTarget).find((t): t is string => typeof t === 'string') ?? null;
  const keepProblem = Object.values(keep).some((v) => v !== '' && !/^\d+$/.test(v)) ? 'Whole numbers only' : null;
  const repo = repos?.find((r) => r.id === repositoryId);

  const save = async () => {
    if (!host || !repositoryId || !chosen.length) return;
    setSaving(true);
    setError(null);
    const input: PlanInput = {
      name: planName,
      hostId: host.id,
      repositoryId,
      sources: chosen.map((s) => withLevels(s.spec, levels ? { fullEvery: { days: 7 } } : undefined)),
      schedule: { cron: preset === 'custom' ? cron : preset, timeZone },
      retention: Object.fromEntries(Object.entries(keep).filter(([, v]) => v !== '').map(([k, v]) => [k, Number(v)])),
      notify: notifyList,
      ...(drillHostId ? { drill: { cron: drillCron, hostId: drillHostId } } : {}),
    };
    try {
      await requireClient().plans.add(input);
      onSaved();
      onClose();
    } catch (e) {
      setError(toErrorInfo(e));
    } finally {
      setSaving(false);
    }
  };

  const runsWhere = !agent
    ? null
    : agent.installed && agent.report?.daemon.alive
      ? repo && (repo.kind === 'local' || (repo.kind === 'sftp' && repo.auth.type === 'agent'))
        ? `${host?.name}'s agent cannot reach ${repo.name} (${repo.kind === 'local' ? "a folder of this computer" : "an SFTP login through this computer's ssh-agent"}): this plan runs when you click Run now.`
        : `${host?.name}'s agent runs this plan on schedule, with no console open.`
      : `${host?.name} has no running agent: this plan runs when you click Run now. Install the agent on the host's page to run it on schedule.`;

  return (
    <Dialog
      size="lg"
      title="New backup plan"
      description="Backed up on a schedule, kept by rules, checked for freshness."
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" icon={<CalendarPlus size={14} />} pending={saving} disabled={!host || !repositoryId || !chosen.length || !!notifyProblem || !!keepProblem} onClick={() => void save()}>
            Save plan
          </Button>
        </>
      }
    >
      {error && (
        <ErrorBanner title="Could not save the plan" detail={errorDetail(error)}>
          {error.message}
        </ErrorBanner>
      )}
      <div className="form plan-form">
        <div className="plan-form-row">
          <SelectField label="Host" value={hostId} onValueChange={setHostId} options={hosts.map((h) => ({ value: h.id, label: h.name }))} />
          <TextField label="Plan name" value={name} placeholder={planName} onValueChange={setName} hint="Its snapshots are filed under this name." />
          <SelectField
            label="Repository"
            value={repositoryId}
            onValueChange={setRepositoryId}
            options={(repos ?? []).map((r) => ({ value: r.id, label: `${r.name} (${r.kind})` }))}
            hint={<ManageRepositoriesLink onNavigate={onClose}>Manage repositories</ManageRepositoriesLink>}
          />
        </div>
        {runsWhere && (
          <p className="small plan-runs-where" data-testid="plan-runs-where">
            {runsWhere}
          </p>
        )}
        <fieldset className="form-section">
          <legend className="field-label">What</legend>
          {!sources ? (
            <div className="loading-row">
              <Spinner /> Looking for volumes and databases on {host?.name}…
            </div>
          ) : (
            <SourceChecklist sources={sources} ticked={ticked} onChange={setTicked} />
          )}
          {chosen.some((s) => takesLevels(s.spec)) && (
            <Checkbox
              label="Volumes in incremental levels"
              description={`Each run stores only what changed since the one before (GNU tar levels, made on ${host?.name ?? 'the host'} by its agent); a full level every 7 days. Without the agent, full copies.`}
              checked={levels}
              onCheckedChange={setLevels}
            />
          )}
        </fieldset>
        <fieldset className="form-section">
          <legend className="field-label">When</legend>
          <Segmented label="Schedule" hideLabel value={preset} onValueChange={setPreset} options={PRESETS} />
          <div className="plan-form-row">
            {preset === 'custom' && <TextField label="Cron" value={cron} onValueChange={setCron} className="mono" hint="minute hour day month weekday" />}
            <TextField label="Time zone" value={timeZone} onValueChange={setTimeZone} hint="An IANA name: Europe/Paris, UTC…" />
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend className="field-label">How long to keep</legend>
          <div className="plan-form-row plan-keep">
            {KEEP.map(([k, label]) => (
              <TextField key={k} label={label} value={keep[k] ?? ''} inputMode="numeric" onValueChange={(v) => setKeep({ ...keep, [k]: v.trim() })} optional error={keep[k] && !/^\d+$/.test(keep[k]!) ? 'a number' : null} />
            ))}
          </div>
          <p className="text-faint small">As restic's forget: the newest of each day, week, month. Empty everywhere keeps every snapshot. The newest verified snapshot is never deleted.</p>
        </fieldset>
        <fieldset className="form-section">
          <legend className="field-label">Restore drill</legend>
          <div className="plan-form-row">
            <SelectField
              label="Verify the newest snapshot on"
              value={drillHostId}
              onValueChange={setDrillHostId}
              options={[{ value: '', label: 'no drill' }, ...hosts.map((h) => ({ value: h.id, label: h.name }))]}
              hint="Restored into a throwaway target there, checked, removed — by that host's agent."
            />
            {drillHostId && <TextField label="When (cron)" value={drillCron} onValueChange={setDrillCron} className="mono" hint="Sunday 06:00 by default" />}
          </div>
        </fieldset>
        <TextField
          label="Notify"
          optional
          value={notify}
          onValueChange={setNotify}
          placeholder="https://hooks.slack.com/… ping:https://hc-ping.com/…"
          error={notifyProblem}
          hint="URLs told of each run, separated by spaces: a JSON webhook, a Slack incoming webhook, or ping: for healthchecks-style start/success/fail."
        />
      </div>
    </Dialog>
  );
}
