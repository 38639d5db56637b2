import { AddHostDialog } from './AddHostDialog';
import { EditHostDialog } from './EditHostDialog';
import { ImportSshConfigDialog } from './ImportSshConfigDialog';
import { RemoveHostDialog } from './RemoveHostDialog';
import { useHostDialogsStore } from './useHostDialogsStore';
import { useHostsStore } from './useHostsStore';

/** Mounts whichever host dialog is open (at most one). */
export function HostDialogs() {
  const { add, editHostId, removeHostId, importOpen, closeAll } = useHostDialogsStore();
  const hosts = useHostsStore((s) => s.hosts);
  const edit = editHostId ? hosts.find((h) => h.id === editHostId) : undefined;
  const remove = removeHostId ? hosts.find((h) => h.id === removeHostId) : undefined;
  return (
    <>
      {/* key: a new prefill (another ssh-config entry) starts a fresh form */}
      {add && <AddHostDialog key={JSON.stringify(add.prefill ?? null)} prefill={add.prefill} onClose={closeAll} />}
      {edit && <EditHostDialog host={edit} onClose={closeAll} />}
      {remove && <RemoveHostDialog host={remove} onClose={closeAll} />}
      {importOpen && <ImportSshConfigDialog onClose={closeAll} />}
    </>
  );
}
