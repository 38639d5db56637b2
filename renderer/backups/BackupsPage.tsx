import { useEffect } from 'react';
import { CalendarClock, CalendarPlus, ListChecks, Play } from 'lucide-react';
import { ageWords, freshness } from '../../shared/staleness.js';
import { Badge, Button, EmptyState, ErrorBanner, Spinner, StatusPill, Table } from '../components';
import { errorDetail } from '../app/errors';
import { useHostsStore } from '../hosts/useHostsStore';
import { FRESH } from './freshnessLabels';
import { PlanDialog } from './PlanDialog';
import { RetentionPreview } from './RetentionPreview';
import { retentionWords } from './retentionWords';
import { ServiceFreshnessCard } from './ServiceFreshnessCard';
import { usePlansStore } from './usePlansStore';

/** While the screen is open the plans are read again this often: an agent's runs appear by themselves. */
const REFRESH_MS = 15_000;



/**
 * The plans, and how fresh each one's backups are (the staleness view): the last good backup
 * against the plan's own interval, the newest verified snapshot, the next run; and the retention
 * preview — every snapshot of the plan with the rule that keeps it, or "delete".
 */
export function BackupsPage() {
  const { plans, error, load, openPreview, preview, creating, setCreating, running, runNow } = usePlansStore();
  const hosts = useHostsStore((s) => s.hosts);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
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
        <div className="page-actions">
          <Button variant="primary" icon={<CalendarPlus size={14} />} onClick={() => setCreating(true)} disabled={!hosts.length}>
            New plan
          </Button>
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
              Click <strong>New plan</strong>, or from a shell: <code>hindsight plans add &lt;name&gt; --host H --repo R --volume V --schedule daily</code>.
            </EmptyState>
          }
          columns={[
            { key: 'plan', header: 'Plan', width: '16%', render: (p) => <span className="plan-name">{p.name}</span> },
            { key: 'host', header: 'Host', width: '10%', render: (p) => hostName(p.hostId) },
            {
              key: 'schedule',
              header: 'Schedule',
              width: '16%',
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
            { key: 'verified', header: 'Newest verified', width: '12%', render: (p) => (p.newestVerified ? <span className="mono small">{p.newestVerified}</span> : <span className="text-faint">none</span>) },
            { key: 'retention', header: 'Retention', width: '10%', render: (p) => retentionWords(p) },
            {
              key: 'actions',
              header: '',
              align: 'right',
              width: '19%',
              render: (p) => (
                <span className="plan-actions">
                  <Button size="sm" icon={<Play size={14} />} pending={!!running[p.id]} title={running[p.id]} onClick={() => void runNow(p)}>
                    Run now
                  </Button>
                  <Button size="sm" variant="ghost" icon={<ListChecks size={14} />} onClick={() => void openPreview(p)}>
                    Retention
                  </Button>
                </span>
              ),
            },
          ]}
        />
      )}
      {plans && plans.length > 0 && <ServiceFreshnessCard plans={plans} hostName={hostName} now={now} />}
      {preview && <RetentionPreview />}
      {creating && <PlanDialog onClose={() => setCreating(false)} onSaved={() => void load()} />}
    </div>
  );
}
