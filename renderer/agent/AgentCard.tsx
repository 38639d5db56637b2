import { useEffect, useState } from 'react';
import { ArrowUpCircle, Bot, Download, Trash2 } from 'lucide-react';
import type { AgentStatus, Host } from '../../shared/contract/index.js';
import { ageWords } from '../../shared/staleness.js';
import { Badge, Button, Card, Checkbox, Dialog, ErrorBanner, ProgressBar, Spinner, StatusPill, Table } from '../components';
import { errorDetail } from '../app/errors';
import { agentStateWords, schedulerPending } from './agentState';
import { useAgentStore } from './useAgentStore';

/**
 * The host page's "Agent" card: is the Hindsight agent installed on this host, which version, is
 * its scheduler running, its signing key trusted here, its plans with their last and next runs —
 * and the buttons to install, upgrade or remove it. What installing means is said before it is done.
 */
export function AgentCard({ host }: { host: Host }) {
  const entry = useAgentStore((s) => s.byHost[host.id]);
  const { load, run } = useAgentStore();
  const [confirmRemove, setConfirmRemove] = useState(false);
  useEffect(() => {
    void load(host.id);
  }, [host.id, load]);

  const s = entry?.status;
  const busy = entry?.busy;
  const askAgain = schedulerPending(s, !!busy);
  useEffect(() => {
    if (!askAgain) return;
    const timer = setInterval(() => void load(host.id), 5000);
    return () => clearInterval(timer);
  }, [askAgain, host.id, load]);
  const actions = s && !busy && (
    <>
      {!s.installed && s.bundledVersion && (
        <Button variant="primary" size="sm" icon={<Download size={14} />} onClick={() => void run(host.id, host.name, 'install')}>
          Install agent
        </Button>
      )}
      {s.installed && s.upgradeAvailable && (
        <Button variant="primary" size="sm" icon={<ArrowUpCircle size={14} />} onClick={() => void run(host.id, host.name, 'upgrade')}>
          Upgrade to {s.bundledVersion}
        </Button>
      )}
      {s.installed && (s.problem || !s.keyPinned) && !s.upgradeAvailable && (
        <Button size="sm" onClick={() => void run(host.id, host.name, 'install')}>
          Repair
        </Button>
      )}
      {s.installed && (
        <Button size="sm" variant="ghost" className="btn-danger-text" icon={<Trash2 size={14} />} onClick={() => setConfirmRemove(true)}>
          Remove
        </Button>
      )}
    </>
  );

  return (
    <Card title={<span className="card-title-icon"><Bot size={15} /> Hindsight agent</span>} actions={actions} data-testid="agent-card">
      {entry?.error && (
        <ErrorBanner title="Could not ask the host about its agent" detail={errorDetail(entry.error)}>
          {entry.error.message}
        </ErrorBanner>
      )}
      {busy ? (
        <div className="agent-busy" data-testid="agent-busy">
          <span className="small">{busy.message}</span>
          <ProgressBar fraction={busy.fraction} label={`Agent ${busy.action}`} />
        </div>
      ) : !s ? (
        !entry?.error && (
          <div className="loading-row">
            <Spinner /> Asking {host.name} about its agent…
          </div>
        )
      ) : !s.installed ? (
        <NotInstalled host={host} status={s} />
      ) : (
        <Installed host={host} status={s} />
      )}
      {confirmRemove && <RemoveDialog host={host} onClose={() => setConfirmRemove(false)} onRemove={(purge) => void run(host.id, host.name, 'remove', purge)} />}
    </Card>
  );
}

function NotInstalled({ host, status }: { host: Host; status: AgentStatus }) {
  return (
    <div className="agent-explain">
      <p>
        No agent on {host.name}: its plans run only while a console is open, and their data passes through this computer.
      </p>
      <p className="text-faint small">
        The agent is one container, <span className="mono">hindsight-agent</span>, loaded from this console over SSH (no registry, no open port). It runs the host's
        plans on schedule and moves data straight between the host and the repository. It holds the host's Docker socket — it can do what Docker can on {host.name} —
        and its own signing key, which this console trusts for {host.name} only.
      </p>
      {!status.bundledVersion && <p className="small">This build carries no agent image (npm run build:agent makes it).</p>}
    </div>
  );
}

function Installed({ host, status: s }: { host: Host; status: AgentStatus }) {
  const now = new Date();
  const daemon = s.report?.daemon;
  const state = agentStateWords(s);
  return (
    <div className="agent-installed">
      <div className="agent-facts">
        <StatusPill tone={state.ok ? 'success' : 'danger'} testId="agent-state">
          {state.text}
        </StatusPill>
        <span className="small">
          version <span className="mono">{s.version}</span>
        </span>
        {daemon?.startedAt && <span className="small text-faint">up {ageWords(daemon.startedAt, now)}</span>}
        {s.keyPinned ? (
          <Badge tone="success" title={s.keyId ?? undefined}>
            signing key trusted for {host.name}
          </Badge>
        ) : (
          <Badge tone="danger">signing key not trusted: Repair</Badge>
        )}
        {s.upgradeAvailable && <Badge tone="info">upgrade available</Badge>}
      </div>
      {s.problem && (
        <ErrorBanner title="The agent does not answer">
          {s.problem}
        </ErrorBanner>
      )}
      {s.report && (
        <Table
          label="Plans the agent runs"
          rows={s.report.plans}
          rowKey={(p) => p.planId}
          rowLabel={(p) => p.name}
          empty={<span className="text-faint small">No plan for {host.name} yet: add one on the Backups page.</span>}
          columns={[
            { key: 'plan', header: 'Plan', render: (p) => <span className="plan-name">{p.name}</span> },
            {
              key: 'next',
              header: 'Next run',
              render: (p) => (p.paused ? <Badge>paused</Badge> : p.running ? <StatusPill tone="info">running</StatusPill> : p.nextRun ? `in ${ageWords(now, new Date(p.nextRun))}` : '—'),
            },
            {
              key: 'last',
              header: 'Last run',
              render: (p) =>
                p.lastAttempt ? (
                  <span className="plan-cell">
                    <StatusPill tone={p.lastAttempt.result === 'succeeded' ? 'success' : 'danger'} title={p.lastAttempt.error}>
                      {p.lastAttempt.result}
                    </StatusPill>
                    <span className="text-faint small">
                      {ageWords(p.lastAttempt.endedAt, now)} ago · {p.lastAttempt.trigger}
                      {p.retryAt ? ` · retry in ${ageWords(now, new Date(p.retryAt))}` : ''}
                    </span>
                  </span>
                ) : (
                  <span className="text-faint">not yet</span>
                ),
            },
          ]}
        />
      )}
    </div>
  );
}

function RemoveDialog({ host, onClose, onRemove }: { host: Host; onClose: () => void; onRemove: (purge: boolean) => void }) {
  const [purge, setPurge] = useState(false);
  return (
    <Dialog
      title={`Remove the agent from ${host.name}?`}
      description="Its plans then run only from an open console. Snapshots it wrote stay in their repositories, and stay trusted."
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="danger"
            onClick={() => {
              onClose();
              onRemove(purge);
            }}
          >
            Remove agent
          </Button>
        </>
      }
    >
      <Checkbox
        label="Also delete its state"
        description="The state volume holds its plans, its signing key and its run journal. Keep it to reinstall with the same key."
        checked={purge}
        onCheckedChange={setPurge}
      />
    </Dialog>
  );
}
