import { useState } from 'react';
import { CheckCircle2, XCircle } from 'lucide-react';
import type { BackupResult, Host, VerifyResult } from '../../shared/contract/index.js';
import { errorDetail } from '../app/errors';
import { formatBytes } from '../app/format';
import { useRouteStore } from '../app/useRouteStore';
import { Button, Dialog, ErrorBanner, ProgressBar, SelectField } from '../components';
import type { PageTask } from './useSnapshotStore';

/**
 * Where to verify by default: a host that is not protected, UAT or science first (a verify
 * restores into throwaway volumes there), else the snapshot's own host.
 */
export function defaultVerifyHost(hosts: readonly Host[], sourceHostId: string): string {
  const rank = (h: Host) => (h.protected ? 9 : h.role === 'uat' ? 0 : h.role === 'science' ? 1 : h.id === sourceHostId ? 3 : 2);
  return [...hosts].sort((a, b) => rank(a) - rank(b))[0]?.id ?? sourceHostId;
}

export function VerifyDialog({ hosts, sourceHostId, onStart, onClose }: { hosts: readonly Host[]; sourceHostId: string; onStart: (hostId: string) => void; onClose: () => void }) {
  const [hostId, setHostId] = useState(() => defaultVerifyHost(hosts, sourceHostId));
  const host = hosts.find((h) => h.id === hostId);
  return (
    <Dialog
      title="Verify this snapshot"
      description="Hindsight restores it into throwaway volumes and containers on the host you pick, checks checksums, file counts and row counts against the manifest, then removes them. Nothing existing is touched."
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={() => onStart(hostId)} data-testid="verify-start">
            Verify on {host?.name ?? hostId}
          </Button>
        </>
      }
    >
      <SelectField
        label="Host to verify on"
        value={hostId}
        onValueChange={setHostId}
        options={hosts.map((h) => ({ value: h.id, label: `${h.name} (${h.role}${h.protected ? ', protected' : ''})` }))}
        hint={host?.protected ? 'A protected host: the verify only creates and removes throwaway volumes, but a UAT or science host is the safer place.' : 'UAT or science hosts are the usual place for a verify.'}
      />
    </Dialog>
  );
}

/** Live progress, then the outcome, of a "Verify now". */
export function VerifyPanel({ task, hostName }: { task: PageTask<VerifyResult>; hostName: string }) {
  if (task.running) return <ProgressBar fraction={task.fraction} label={`Verifying on ${hostName}: ${task.message}`} />;
  if (task.error) {
    return (
      <ErrorBanner title="The verification could not run" detail={errorDetail(task.error)}>
        {task.error.message}
      </ErrorBanner>
    );
  }
  const r = task.result;
  if (!r) return null;
  return (
    <div className={`task-result ${r.ok ? 'is-ok' : 'is-failed'}`} data-testid="verify-result" role="status">
      <div className="task-result-title">
        {r.ok ? <CheckCircle2 size={16} /> : <XCircle size={16} />}
        {r.ok ? `Verified on ${hostName}: every check passed` : `Verification on ${hostName} failed`}
      </div>
      <ul className="task-result-checks">
        {r.verification.flatMap((s) =>
          s.checks.map((c) => (
            <li key={`${s.source}/${c.name}`} className={c.ok ? 'ok' : 'bad'}>
              {c.ok ? '✓' : '✗'} {s.source}: {c.name}
              {!c.ok && (
                <span className="mono">
                  {' '}
                  expected {c.expected}, found {c.actual}
                </span>
              )}
            </li>
          )),
        )}
      </ul>
    </div>
  );
}

/** Live progress, then the outcome, of a "Back up now". */
export function BackupPanel({ task, repositoryId }: { task: PageTask<BackupResult>; repositoryId: string }) {
  const navigate = useRouteStore((s) => s.navigate);
  if (task.running) return <ProgressBar fraction={task.fraction} label={`Backing up: ${task.message}`} />;
  if (task.error) {
    return (
      <ErrorBanner title="The backup failed" detail={errorDetail(task.error)}>
        {task.error.message}
      </ErrorBanner>
    );
  }
  const r = task.result;
  if (!r) return null;
  return (
    <div className="task-result is-ok" data-testid="backup-result" role="status">
      <div className="task-result-title">
        <CheckCircle2 size={16} /> New snapshot of {r.set}: {formatBytes(r.storedBytes)} stored
        <Button size="sm" onClick={() => navigate({ page: 'snapshot', repositoryId, snapshotId: r.snapshotId })}>
          Open it
        </Button>
      </div>
    </div>
  );
}
