import type { PlanView } from '../../shared/contract/index.js';
import { ageWords, serviceFreshness } from '../../shared/staleness.js';
import { Card, StatusPill, Table } from '../components';
import { FRESH } from './freshnessLabels';

/**
 * The staleness view: per service per host (every source of every plan), the last good backup and
 * the newest verified snapshot — amber and red when older than the plans' intervals allow. Worst
 * first, so what needs attention is on top.
 */
export function ServiceFreshnessCard({ plans, hostName, now }: { plans: PlanView[]; hostName: (id: string) => string; now: Date }) {
  const rows = serviceFreshness(plans, now);
  return (
    <Card title="Freshness by service" flush data-testid="service-freshness">
      <Table
        label="Freshness by service"
        rows={rows}
        rowKey={(r) => r.key}
        rowLabel={(r) => `${hostName(r.hostId)} ${r.source}`}
        columns={[
          { key: 'host', header: 'Host', width: '14%', render: (r) => hostName(r.hostId) },
          { key: 'source', header: 'Service', width: '30%', render: (r) => <span className="mono small">{r.source}</span> },
          {
            key: 'backup',
            header: 'Last good backup',
            width: '22%',
            render: (r) => (
              <span className="plan-cell">
                <StatusPill tone={FRESH[r.backup].tone} testId={`service-fresh-${r.key}`}>
                  {FRESH[r.backup].label}
                </StatusPill>
                {r.lastGood && <span className="text-faint small">{ageWords(r.lastGood, now)} ago</span>}
              </span>
            ),
          },
          {
            key: 'verify',
            header: 'Last verified restore',
            width: '20%',
            render: (r) =>
              r.verify ? (
                <span className="plan-cell">
                  <StatusPill tone={FRESH[r.verify].tone}>{r.verify === 'never' ? 'never verified' : FRESH[r.verify].label}</StatusPill>
                  {r.verifiedAt && <span className="text-faint small">snapshot of {ageWords(r.verifiedAt, now)} ago</span>}
                </span>
              ) : (
                <span className="text-faint small" title="Add a restore drill to the plan to verify its snapshots on schedule">
                  {r.verifiedAt ? `snapshot of ${ageWords(r.verifiedAt, now)} ago` : 'no drill'}
                </span>
              ),
          },
          { key: 'plans', header: 'Plans', width: '14%', render: (r) => <span className="small">{r.plans.join(', ')}</span> },
        ]}
      />
    </Card>
  );
}
