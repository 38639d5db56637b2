import { CircleCheck, CircleX, FolderPlus } from 'lucide-react';
import type { Repository } from '../../shared/contract/index.js';
import { Button, ErrorBanner, Spinner } from '../components';
import { errorDetail } from '../app/errors';
import { HostKeyPrompt } from '../hosts/HostKeyPrompt';
import { locationOf } from './repositoryForm';
import { useRepositoriesStore } from './useRepositoriesStore';

const STEP_LABEL = { config: 'Settings', connect: 'Reaching the storage', hostkey: 'Host key', auth: 'Signing in', marker: 'Repository format' } as const;

/**
 * The last test of a repository: OK (format, id, latency), or the step that failed in plain words —
 * with the server's host key to compare and trust (SFTP), or, for an empty location, an offer to
 * initialise it that first says exactly what will be written.
 */
export function RepositoryCheck({ repo }: { repo: Repository }) {
  const { checks, initialising, init, trustHostKey } = useRepositoriesStore();
  const state = checks[repo.id];
  if (!state) return null;
  if (state.status === 'checking') {
    return (
      <p className="repo-check repo-check-running" role="status">
        <Spinner size={14} /> Testing {locationOf(repo)}…
      </p>
    );
  }
  if (state.status === 'error') {
    return (
      <ErrorBanner title="The test could not run" detail={errorDetail(state.error)}>
        {state.error.message}
      </ErrorBanner>
    );
  }
  const r = state.result;
  if (r.ok) {
    return (
      <p className="repo-check repo-check-ok" role="status" data-testid="repo-check">
        <CircleCheck size={15} aria-hidden /> Ready — a Hindsight repository ({r.format}), created {new Date(r.createdAt).toLocaleString()}, answered in {Math.round(r.latencyMs)} ms.
      </p>
    );
  }
  if (r.step === 'hostkey' && r.hostKey) {
    return <HostKeyPrompt hostKey={r.hostKey} onTrust={() => void trustHostKey(repo.id, r.hostKey!.hostPattern, r.hostKey!.fingerprint)} />;
  }
  if (r.step === 'marker' && r.empty) {
    return (
      <div className="repo-init" role="region" aria-label="Initialise the repository" data-testid="repo-check">
        <p className="repo-init-title">
          <FolderPlus size={16} aria-hidden /> {locationOf(repo)} is empty
        </p>
        <p>
          Initialising makes it a Hindsight repository. It writes one object, <code>hindsight-repo.json</code>: the format (<code>hindsight/1</code>), a new random
          id, the time, and <code>encryption: none</code> (each snapshot says how it is encrypted). Backups then add <code>snapshots/</code>, <code>data/</code> and{' '}
          <code>index/</code> beside it. Nothing else is touched.
        </p>
        <div>
          <Button variant="primary" icon={<FolderPlus size={14} />} pending={!!initialising[repo.id]} onClick={() => void init(repo.id)}>
            Initialise
          </Button>
        </div>
      </div>
    );
  }
  return (
    <p className="repo-check repo-check-failed" role="alert" data-testid="repo-check">
      <CircleX size={15} aria-hidden /> <strong>{STEP_LABEL[r.step]}:</strong> {r.message}
    </p>
  );
}
