import { Server } from 'lucide-react';
import { Button } from '../components';
import { useHostDialogsStore } from './useHostDialogsStore';
import { useHostsStore } from './useHostsStore';

/** Offers the Docker engine on this machine, if one answers and it is not added yet. */
export function LocalEngineCard() {
  const local = useHostsStore((s) => s.local);
  const openAdd = useHostDialogsStore((s) => s.openAdd);
  if (!local || !local.reachable || local.alreadyAdded) return null;
  return (
    <div className="local-card" role="region" aria-label="Local Docker engine">
      <Server size={20} aria-hidden className="local-card-icon" />
      <div className="local-card-text">
        Local Docker engine found at <code>{local.socketPath}</code>
      </div>
      <Button
        variant="primary"
        size="sm"
        onClick={() => openAdd({ name: 'local', role: 'other', protected: false, connection: { type: 'local', socketPath: local.socketPath } })}
      >
        Add
      </Button>
    </div>
  );
}
