import { useEffect, useState } from 'react';
import { CheckCircle2, XCircle } from 'lucide-react';
import type { BackupResult, Host, SourceKind, VerifyResult } from '../../shared/contract/index.js';
import { errorDetail } from '../app/errors';
import { formatBytes } from '../app/format';
import { useRouteStore } from '../app/useRouteStore';
import { Button, Dialog, ErrorBanner, ProgressBar, SelectField } from '../components';
import { useInventoryStore } from '../inventory/useInventoryStore';
import type { PageTask } from './useSnapshotStore';
import { defaultVerifyHost, kindNames, missingOn } from './verifyHosts';

/** `kinds`: the snapshot's database kinds — a host without a container of each cannot check them. */
export function VerifyDialog({ hosts, sourceHostId, kinds, onStart, onClose }: { hosts: readonly Host[]; sourceHostId: string; kinds: readonly SourceKind[]; onStart: (hostId: string) => void; onClose: () => void }) {
  const inventories = useInventoryStore((s) => s.byHost);
  const load = useInventoryStore((s) => s.load);
  // Once per dialog (and per set of hosts): the store keeps what it read; a new kinds array each render must not refetch.
  const needed = kinds.length > 0;
  useEffect(() => {
    if (needed) for (const h of hosts) void load(h.id);
  }, [hosts, needed, load]);
  const missing = (id: string) => missingOn(inventories[id]?.data, kinds);
  // The default follows the inventories as they arrive, until the user picks.
  const [picked, setPicked] = useState<string | null>(null);
  const hostId = picked ?? defaultVerifyHost(hosts, sourceHostId, missing);
  const host = hosts.find((h) => h.id === hostId);
  const lacking = missing(hostId);
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
        onValueChange={setPicked}
        options={hosts.map((h) => {
          const no = missing(h.id);
          return { value: h.id, label: `${h.name} (${h.role}${h.protected ? ', protected' : ''})${no?.length ? ` — no ${kindNames(no)} container` : ''}` };
        })}
        hint={
          lacking?.length
            ? `${host?.name ?? hostId} runs no ${kindNames(lacking)} container, so its database sources cannot be checked there (a snapshot's own image is never started). Pick a host that runs one.`
            : host?.protected
              ? 'A protected host: the verify only creates and removes throwaway volumes, but a UAT or science host is the safer place.'
              : 'UAT or science hosts are the usual place for a verify.'
        }
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
