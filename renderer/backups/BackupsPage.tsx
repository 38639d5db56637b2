import { useEffect } from 'react';
import { CalendarClock, ListChecks } from 'lucide-react';
import type { PlanView } from '../../shared/contract/index.js';
import { ageWords, freshness, type Freshness } from '../../shared/staleness.js';
import { Badge, Button, Dialog, EmptyState, ErrorBanner, Spinner, StatusPill, Table, type Tone } from '../components';
import { errorDetail } from '../app/errors';
import { useHostsStore } from '../hosts/useHostsStore';
import { usePlansStore } from './usePlansStore';

const FRESH: Record<Freshness, { tone: Tone; label: string }> = {
  fresh: { tone: 'success', label: 'on time' },
  late: { tone: 'warning', label: 'late' },
  stale: { tone: 'danger', label: 'stale' },
  never: { tone: 'danger', label: 'never backed up' },
};

const retentionWords = (p: PlanView) =>
  Object.entries(p.retention)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.replace(/^keep/, '').toLowerCase()} ${v}`)
    .join(', ') || 'keep all';

/**
 * The plans, and how fresh each one's backups are (the staleness view): the last good backup
 * against the plan's own interval, the newest verified snapshot, the next run; and the retention
 * preview — every snapshot of the plan with the rule that keeps it, or "delete".
 */
export function BackupsPage() {
  const { plans, error, load, openPreview, preview } = usePlansStore();
  const hosts = useHostsStore((s) => s.hosts);
  useEffect(() => {
    void load();
  }, [load]);
  const hostName = (id: string) => hosts.find((h) => h.id === id)?.name ?? id;
  const now = new Date();

  return (
    <div className="page backups-page">
      <header className="page-header">
        <div className="page-heading">
          <h1 className="page-title">Backups</h1>
          <p className="page-subtitle">Backup plans: what is backed up, when, how long it is kept — and whether the backups are on time.</p>
        </div>
      </header>
      {error && (
        <ErrorBanner title="Could not list the plans" detail={errorDetail(error)}>
          {error.message}
        </ErrorBanner>
      )}
      {!plans && !error && <Spinner label="Loading plans" />}
      {plans && (
        <Table
          label="Backup plans"
          rows={plans}
          rowKey={(p) => p.id}
          rowLabel={(p) => p.name}
          empty={
            <EmptyState icon={<CalendarClock size={28} />} title="No backup plan yet">
              Add one with <code>hindsight plans add &lt;name&gt; --host H --repo R --volume V --schedule daily</code>.
            </EmptyState>
          }
          columns={[
            { key: 'plan', header: 'Plan', width: '18%', render: (p) => <span className="plan-name">{p.name}</span> },
            { key: 'host', header: 'Host', width: '10%', render: (p) => hostName(p.hostId) },
            {
              key: 'schedule',
              header: 'Schedule',
              width: '20%',
              render: (p) => (
                <span className="plan-cell">
                  <span>
                    <span className="mono">{p.schedule.cron}</span> <span className="text-faint">{p.schedule.timeZone}</span>
                  </span>
                  {p.paused ? <Badge>paused</Badge> : p.nextRun && <span className="text-faint small">next in {ageWords(now, new Date(p.nextRun))}</span>}
                </span>
              ),
            },
            {
              key: 'fresh',
              header: 'Last good backup',
              width: '17%',
              render: (p) => {
                const f = FRESH[freshness(p.lastGoodBackup?.endedAt, p.intervalMs, now)];
                return (
                  <span className="plan-cell">
                    <StatusPill tone={f.tone} testId={`fresh-${p.name}`}>
                      {f.label}
                    </StatusPill>
                    {p.lastGoodBackup && <span className="text-faint small">{ageWords(p.lastGoodBackup.endedAt, now)} ago</span>}
                    {p.lastRun?.result === 'failed' && <Badge tone="danger" title={p.lastRun.error}>last run failed</Badge>}
                  </span>
                );
              },
            },
            { key: 'verified', header: 'Newest verified', width: '13%', render: (p) => (p.newestVerified ? <span className="mono small">{p.newestVerified}</span> : <span className="text-faint">none</span>) },
            { key: 'retention', header: 'Retention', width: '10%', render: (p) => retentionWords(p) },
            {
              key: 'actions',
              header: '',
              align: 'right',
              width: '12%',
              render: (p) => (
                <Button size="sm" icon={<ListChecks size={14} />} onClick={() => void openPreview(p)}>
                  Preview
                </Button>
              ),
            },
          ]}
        />
      )}
      {preview && <RetentionPreview />}
    </div>
  );
}

function RetentionPreview() {
  const { preview, closePreview } = usePlansStore();
  if (!preview) return null;
  const r = preview.result;
  const deleted = r?.decisions.filter((d) => !d.keep).length ?? 0;
  return (
    <Dialog title={`Retention of ${preview.plan.name}`} description={`Keeps: ${retentionWords(preview.plan)}. Nothing is deleted from here; hindsight prune --plan ${preview.plan.name} applies it.`} onClose={closePreview} size="lg" footer={<Button onClick={closePreview}>Close</Button>}>
      {preview.error && (
        <ErrorBanner title="Could not read the plan's snapshots" detail={errorDetail(preview.error)}>
          {preview.error.message}
        </ErrorBanner>
      )}
      {!r && !preview.error && <Spinner label="Reading the snapshots" />}
      {r && (
        <>
          <p className="small" data-testid="retention-summary">
            {r.decisions.length - deleted} kept, {deleted} would be deleted.
          </p>
          <Table
            label="Retention preview"
            rows={r.decisions}
            rowKey={(d) => d.snapshotId}
            columns={[
              { key: 'id', header: 'Snapshot', mono: true, render: (d) => d.snapshotId },
              { key: 'time', header: 'Taken', render: (d) => new Date(d.time).toLocaleString() },
              { key: 'decision', header: 'Decision', render: (d) => (d.keep ? <Badge tone="success">keep: {d.reasons.join(', ')}</Badge> : <Badge tone="danger">delete</Badge>) },
            ]}
          />
        </>
      )}
    </Dialog>
  );
}
