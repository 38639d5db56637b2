import { useState } from 'react';
import { Square } from 'lucide-react';
import { Badge, Button, ErrorBanner, Spinner, StatusPill } from '../components';
import { errorDetail } from '../app/errors';
import { requireClient } from '../app/useConnectionStore';
import { toast } from '../app/useToastStore';
import { OperationLog } from './OperationLog';
import { OperationResult } from './OperationResult';
import { StepList } from './StepList';
import { KindIcon, stateLabel, stateTone } from './operationLabels';
import { useOperationLive } from './useOperationLive';

/**
 * One operation, live: its steps (the running one with bytes, rate and ETA), its log as it streams
 * (and what it logged before this view opened), and once it ended the result or what the rollback
 * put back. Give it an operationId (operations page) or the taskId a run returned (backup dialog,
 * restore wizard) — the operation is found from the task as soon as its journal exists.
 */
export function OperationView({ operationId, taskId, showHeader = true }: { operationId?: string; taskId?: string; showHeader?: boolean }) {
  const live = useOperationLive({ operationId, taskId });
  const { detail, taskEnd } = live;
  const running = live.state ? live.state === 'running' : !taskEnd;
  const [cancelling, setCancelling] = useState(false);

  const cancel = async () => {
    if (!live.taskId) return;
    setCancelling(true);
    try {
      await requireClient().tasks.cancel({ taskId: live.taskId });
    } catch (e) {
      toast({ tone: 'danger', title: 'Could not cancel', message: String((e as Error).message ?? e) });
      setCancelling(false);
    }
  };

  return (
    <div className="op-view" data-testid="operation-view" data-state={detail?.state ?? (taskEnd ? taskEnd.type : 'running')}>
      {showHeader && (
        <div className="op-view-header">
          {detail ? <KindIcon kind={detail.kind} size={18} /> : <Spinner />}
          <span className="op-view-title">{detail?.title ?? 'Starting…'}</span>
          {detail && (
            <StatusPill tone={stateTone(detail.state)} testId="operation-state">
              {stateLabel(detail.state)}
            </StatusPill>
          )}
        </div>
      )}
      {live.error && <ErrorBanner title="Could not read this operation" detail={errorDetail(live.error)}>{live.error.message}</ErrorBanner>}
      {!detail && taskEnd?.type === 'failed' && (
        <ErrorBanner title="It did not start" detail={taskEnd.error.detail ?? null}>
          {taskEnd.error.message}
        </ErrorBanner>
      )}
      <div className="op-view-grid">
        <section className="op-view-steps" aria-label="Steps">
          <div className="op-section-title">
            Steps
            {running && live.taskId && (
              <Button size="sm" variant="ghost" icon={<Square size={12} />} pending={cancelling} onClick={() => void cancel()} className="op-view-cancel btn-danger-text">
                {detail?.kind === 'restore' ? 'Cancel and roll back' : 'Cancel'}
              </Button>
            )}
          </div>
          <StepList steps={detail?.steps ?? []} progress={live.progress} rate={live.rate} running={running} />
        </section>
        <section className="op-view-log" aria-label="Log">
          <div className="op-section-title">
            Log <Badge>{live.logs.length.toLocaleString()}</Badge>
          </div>
          <OperationLog lines={live.logs} running={running} />
        </section>
      </div>
      {detail && detail.state !== 'running' && <OperationResult op={detail} />}
    </div>
  );
}
