import { Badge, Button, Dialog, ErrorBanner, Spinner, Table } from '../components';
import { errorDetail } from '../app/errors';
import { retentionWords } from './retentionWords';
import { usePlansStore } from './usePlansStore';

/** Every snapshot of a plan with the rule that keeps it, or "delete" (plans.prune with dryRun). */
export function RetentionPreview() {
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
