import { useState } from 'react';
import type { Host } from '../../shared/contract/index.js';
import { Button, Dialog, ErrorBanner } from '../components';
import { errorDetail, toErrorInfo, type ErrorInfo } from '../app/errors';
import { useRouteStore } from '../app/useRouteStore';
import { toast } from '../app/useToastStore';
import { useHostsStore } from './useHostsStore';

export function RemoveHostDialog({ host, onClose }: { host: Host; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const remove = useHostsStore((s) => s.remove);
  const navigate = useRouteStore((s) => s.navigate);

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await remove(host.id);
      toast({ tone: 'success', title: `Host "${host.name}" removed` });
      onClose();
      navigate({ page: 'overview' });
    } catch (e) {
      setError(toErrorInfo(e));
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={`Remove ${host.name}?`}
      size="sm"
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button variant="danger" onClick={confirm} pending={busy}>
            Remove host
          </Button>
        </>
      }
    >
      <p className="dialog-text">
        Hindsight forgets this host and its stored passphrase. Nothing changes on the machine itself: its containers, volumes and data stay as they
        are. You can add it again later.
      </p>
      {error && (
        <ErrorBanner title="The host was not removed" detail={errorDetail(error)}>
          {error.message}
        </ErrorBanner>
      )}
    </Dialog>
  );
}
