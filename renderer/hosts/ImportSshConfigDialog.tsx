import { useEffect, useState } from 'react';
import { FileSearch } from 'lucide-react';
import type { HostInput } from '../../shared/contract/index.js';
import { Button, Dialog, EmptyState, ErrorBanner, Spinner, Table, TextInput, type Column } from '../components';
import { errorDetail, toErrorInfo, type ErrorInfo } from '../app/errors';
import { requireClient } from '../app/useConnectionStore';
import { describeConnection } from './hostForm';
import { useHostDialogsStore } from './useHostDialogsStore';
import { useHostsStore } from './useHostsStore';

type Candidate = HostInput & { alias: string };

const keyOf = (c: Candidate) => (c.connection.type === 'ssh' ? (c.connection.auth.type === 'key' ? c.connection.auth.keyPath : 'ssh-agent') : '—');

/**
 * Lists the Host entries of an OpenSSH client config. Each one opens the add-host dialog
 * prefilled, so the host key is still confirmed and the connection tested before saving.
 */
export function ImportSshConfigDialog({ onClose }: { onClose: () => void }) {
  const [path, setPath] = useState('');
  const [loading, setLoading] = useState(true);
  const [candidates, setCandidates] = useState<Candidate[]>([]);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const openAdd = useHostDialogsStore((s) => s.openAdd);
  const existing = useHostsStore((s) => s.hosts);

  async function load(p?: string) {
    setLoading(true);
    setError(null);
    try {
      setCandidates(await requireClient().hosts.importSshConfig(p ? { path: p } : {}));
    } catch (e) {
      setError(toErrorInfo(e));
      setCandidates([]);
    } finally {
      setLoading(false);
    }
  }
  useEffect(() => void load(), []);

  const isAdded = (c: Candidate) => existing.some((h) => h.name === c.name);
  const columns: Column<Candidate>[] = [
    { key: 'alias', header: 'Host entry', width: '20%', render: (c) => <strong>{c.alias}</strong> },
    { key: 'conn', header: 'Connection', width: '34%', mono: true, render: (c) => <span title={describeConnection(c.connection)}>{describeConnection(c.connection)}</span> },
    { key: 'key', header: 'Key', mono: true, render: (c) => <span title={keyOf(c)}>{keyOf(c)}</span> },
    {
      key: 'add',
      header: <span className="sr-only">Action</span>,
      align: 'right',
      width: '120px',
      render: (c) =>
        isAdded(c) ? (
          <span className="text-muted">Already added</span>
        ) : (
          <Button size="sm" onClick={() => openAdd(c)} aria-label={`Add ${c.alias}`}>
            Add…
          </Button>
        ),
    },
  ];

  return (
    <Dialog title="Import from SSH config" description="Hosts declared in your OpenSSH client configuration." size="lg" onClose={onClose}>
      <form
        className="import-path"
        onSubmit={(e) => {
          e.preventDefault();
          void load(path.trim() || undefined);
        }}
      >
        <TextInput aria-label="SSH config file" placeholder="~/.ssh/config" value={path} onChange={(e) => setPath(e.target.value)} className="mono" />
        <Button type="submit" pending={loading}>
          Read
        </Button>
      </form>
      {error ? (
        <ErrorBanner title="Could not read the SSH config" detail={errorDetail(error)}>
          {error.message}
        </ErrorBanner>
      ) : loading ? (
        <div className="loading-row">
          <Spinner /> Reading…
        </div>
      ) : (
        <Table
          label="SSH config entries"
          columns={columns}
          rows={candidates}
          rowKey={(c) => c.alias}
          empty={
            <EmptyState icon={<FileSearch size={28} />} title="No hosts in this file">
              Only <code>Host</code> entries with a concrete name (no wildcards) can be imported.
            </EmptyState>
          }
        />
      )}
    </Dialog>
  );
}
