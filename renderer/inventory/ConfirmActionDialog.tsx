import { Button, Dialog } from '../components';
import { RoleBadge } from '../hosts/RoleBadge';
import { useServicesStore } from './useServicesStore';

/** "Stop X on production?" — shown only for protected hosts. */
export function ConfirmActionDialog() {
  const { confirm, confirmPending, cancelPending } = useServicesStore();
  if (!confirm) return null;
  const what = confirm.kind === 'container' ? confirm.name : `every container of stack ${confirm.project}`;
  const verb = confirm.action === 'stop' ? 'Stop' : 'Restart';
  return (
    <Dialog
      title={`${verb} ${confirm.kind === 'container' ? confirm.name : `stack ${confirm.project}`}?`}
      size="sm"
      onClose={cancelPending}
      footer={
        <>
          <Button onClick={cancelPending} autoFocus>
            Cancel
          </Button>
          <Button variant="danger" onClick={confirmPending}>
            {verb}
          </Button>
        </>
      }
    >
      <p className="dialog-text">
        <strong>{confirm.host.name}</strong> <RoleBadge role={confirm.host.role} /> is a protected host. This will {confirm.action} {what}; whatever
        it serves is unavailable until it runs again.
      </p>
    </Dialog>
  );
}
