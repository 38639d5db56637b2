import { useState } from 'react';
import type { Host, HostRole } from '../../shared/contract/index.js';
import { Button, Checkbox, Dialog, ErrorBanner, SelectField } from '../components';
import { errorDetail, toErrorInfo, type ErrorInfo } from '../app/errors';
import { toast } from '../app/useToastStore';
import { ROLE_OPTIONS } from './roles';
import { useHostsStore } from './useHostsStore';

/** Role and protection are what changes over a host's life; the connection is re-added instead. */
export function EditHostDialog({ host, onClose }: { host: Host; onClose: () => void }) {
  const [role, setRole] = useState<HostRole>(host.role);
  const [prot, setProt] = useState(host.protected);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const update = useHostsStore((s) => s.update);

  async function save() {
    setSaving(true);
    setError(null);
    try {
      await update(host.id, { role, protected: prot });
      toast({ tone: 'success', title: `Host "${host.name}" updated` });
      onClose();
    } catch (e) {
      setError(toErrorInfo(e));
      setSaving(false);
    }
  }

  return (
    <Dialog
      title={`Edit ${host.name}`}
      size="sm"
      onClose={onClose}
      busy={saving}
      footer={
        <>
          <Button onClick={onClose} disabled={saving}>
            Cancel
          </Button>
          <Button variant="primary" onClick={save} pending={saving}>
            Save changes
          </Button>
        </>
      }
    >
      <div className="form">
        <SelectField label="Role" value={role} options={ROLE_OPTIONS} onValueChange={setRole} />
        <Checkbox
          label="Protected"
          description="Confirm before stopping its services; type its name before restoring onto it."
          checked={prot}
          onCheckedChange={setProt}
        />
        {error && (
          <ErrorBanner title="The changes were not saved" detail={errorDetail(error)}>
            {error.message}
          </ErrorBanner>
        )}
      </div>
    </Dialog>
  );
}
