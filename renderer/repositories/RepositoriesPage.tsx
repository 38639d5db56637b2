import { useEffect } from 'react';
import { Archive, Cloud, HardDrive, Pencil, Plus, PlugZap, Server, Trash2 } from 'lucide-react';
import type { Repository } from '../../shared/contract/index.js';
import { Badge, Button, Dialog, EmptyState, ErrorBanner, Spinner } from '../components';
import { errorDetail } from '../app/errors';
import { RepositoryCheck } from './RepositoryCheck';
import { RepositoryDialog } from './RepositoryDialog';
import { locationOf } from './repositoryForm';
import { useRepositoriesStore } from './useRepositoriesStore';

const KIND = {
  s3: { label: 'S3', icon: <Cloud size={16} aria-hidden /> },
  sftp: { label: 'SFTP', icon: <Server size={16} aria-hidden /> },
  local: { label: 'Local', icon: <HardDrive size={16} aria-hidden /> },
} as const;

/** Where snapshots are kept: add, test, initialise, edit, remove (the data always stays). */
export function RepositoriesPage() {
  const { repos, error, load, open, check, dialog } = useRepositoriesStore();
  useEffect(() => {
    // Each repository is tested as the page opens: its state is what the user came to see.
    void load().then(() => {
      for (const r of useRepositoriesStore.getState().repos ?? []) void check(r.id);
    });
  }, [load, check]);

  return (
    <div className="page repositories-page">
      <header className="page-header">
        <div className="page-heading">
          <h1 className="page-title">Repositories</h1>
          <p className="page-subtitle">Where snapshots are kept: an S3 bucket, a directory on an SSH backup server, or a local folder.</p>
        </div>
        <Button variant="primary" icon={<Plus size={14} />} onClick={() => open({ mode: 'add' })}>
          Add repository
        </Button>
      </header>
      {error && (
        <ErrorBanner title="Could not list the repositories" detail={errorDetail(error)}>
          {error.message}
        </ErrorBanner>
      )}
      {!repos && !error && <Spinner label="Loading repositories" />}
      {repos?.length === 0 && (
        <EmptyState icon={<Archive size={28} />} title="No repository yet" actions={<Button onClick={() => open({ mode: 'add' })}>Add repository</Button>}>
          Add the bucket or server your backups should go to.
        </EmptyState>
      )}
      <ul className="repo-list" aria-label="Repositories">
        {repos?.map((r) => (
          <RepositoryRow key={r.id} repo={r} onTest={() => void check(r.id)} />
        ))}
      </ul>
      {(dialog?.mode === 'add' || dialog?.mode === 'edit') && <RepositoryDialog key={dialog.mode === 'edit' ? dialog.repo.id : 'add'} />}
      {dialog?.mode === 'remove' && <RemoveRepositoryDialog repo={dialog.repo} />}
    </div>
  );
}

function RepositoryRow({ repo, onTest }: { repo: Repository; onTest: () => void }) {
  const { open, checks } = useRepositoriesStore();
  const testing = checks[repo.id]?.status === 'checking';
  return (
    <li className="repo-card" aria-label={repo.name}>
      <div className="repo-card-head">
        <span className="repo-card-icon">{KIND[repo.kind].icon}</span>
        <div className="repo-card-title">
          <span className="repo-name">{repo.name}</span>
          <span className="repo-location mono">{locationOf(repo)}</span>
        </div>
        <Badge>{KIND[repo.kind].label}</Badge>
        {repo.builtIn && <Badge tone="accent">built in</Badge>}
        {repo.hasSecret && <Badge title="A secret is stored for it (never shown)">secret stored</Badge>}
        <div className="repo-card-actions">
          <Button size="sm" icon={<PlugZap size={14} />} onClick={onTest} pending={testing}>
            Test
          </Button>
          {!repo.builtIn && (
            <>
              <Button size="sm" icon={<Pencil size={14} />} onClick={() => open({ mode: 'edit', repo })}>
                Edit
              </Button>
              <Button size="sm" variant="ghost" icon={<Trash2 size={14} />} onClick={() => open({ mode: 'remove', repo })}>
                Remove
              </Button>
            </>
          )}
        </div>
      </div>
      <RepositoryCheck repo={repo} />
    </li>
  );
}

function RemoveRepositoryDialog({ repo }: { repo: Repository }) {
  const { open, remove } = useRepositoriesStore();
  return (
    <Dialog
      title={`Remove ${repo.name}?`}
      onClose={() => open(null)}
      size="sm"
      footer={
        <>
          <Button onClick={() => open(null)}>Cancel</Button>
          <Button
            variant="danger"
            onClick={() => {
              void remove(repo.id).finally(() => open(null));
            }}
          >
            Remove from the console
          </Button>
        </>
      }
    >
      <p>
        The console forgets <strong>{repo.name}</strong> and its stored secret. The snapshots at <span className="mono">{locationOf(repo)}</span> stay where they are: add the
        repository again to see them.
      </p>
    </Dialog>
  );
}
